/**
 * The ONNX graphs models are served through, named once for both sides: the
 * exporter (ml-models) builds each graph with these tensor names and the server
 * (subgraphs/recommendations) feeds and reads them by the same constants. A model
 * declares which of these graphs it exports (its serving description, in the
 * version's manifest); the server knows how to run each kind, not each model.
 *
 * Conventions: indices are int64, scores float32; `k` is int64 [1]; top-K outputs
 * are `scores` and `indices` [.., K], best first, -1 padded where a row has fewer;
 * a `history` is the reader's items in time order, oldest first.
 */
export const TENSOR = {
  userIndex: "user_index",
  userVector: "user_vector",
  itemIndex: "item_index",
  history: "history",
  exclude: "exclude",
  k: "k",
  score: "score",
  scores: "scores",
  indices: "indices",
} as const;

/** Constants serving reads out of the graphs (the fold-in, diversity, popularity lookups). */
export const INITIALIZER = {
  userFactors: "user_factors",
  itemFactors: "item_factors",
  embeddings: "embeddings",
  popularity: "popularity",
  neighbourIndex: "neighbour_index",
  neighbourScore: "neighbour_score",
} as const;

export interface GraphSignature {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly description: string;
}

export const GRAPH_SIGNATURES = {
  "factor-scorer": { inputs: [TENSOR.userIndex, TENSOR.itemIndex], outputs: [TENSOR.score], description: "(user_index [N], item_index [N]) -> score [N]" },
  "vector-scorer": { inputs: [TENSOR.userVector, TENSOR.itemIndex], outputs: [TENSOR.score], description: "(user_vector [N,F], item_index [N]) -> score [N]" },
  "user-vectors": { inputs: [TENSOR.userIndex], outputs: [TENSOR.userVector], description: "user_index [B] -> user_vector [B,F]" },
  "user-top-k": { inputs: [TENSOR.userVector, TENSOR.exclude, TENSOR.k], outputs: [TENSOR.scores, TENSOR.indices], description: "(user_vector [B,F], exclude [E], k) -> top-K [B,K]" },
  "item-neighbours": { inputs: [TENSOR.itemIndex], outputs: [TENSOR.scores, TENSOR.indices], description: "item_index [B] -> stored neighbour rows [B,W]" },
  "item-top-k": { inputs: [TENSOR.itemIndex, TENSOR.k], outputs: [TENSOR.scores, TENSOR.indices], description: "(item_index [B], k) -> nearest items [B,K], self excluded" },
  "history-top-k": { inputs: [TENSOR.history, TENSOR.k], outputs: [TENSOR.scores, TENSOR.indices], description: "(history [H], k) -> top-K, history excluded" },
  "history-scorer": { inputs: [TENSOR.history, TENSOR.itemIndex], outputs: [TENSOR.score], description: "(history [H], item_index [N]) -> score [N]" },
  "popularity-top-k": { inputs: [TENSOR.exclude, TENSOR.k], outputs: [TENSOR.scores, TENSOR.indices], description: "(exclude [E], k) -> most popular" },
  "popularity-scorer": { inputs: [TENSOR.itemIndex], outputs: [TENSOR.score], description: "item_index [N] -> popularity [N]" },
} as const satisfies Record<string, GraphSignature>;

export type GraphKind = keyof typeof GRAPH_SIGNATURES;

export function isGraphKind(value: string): value is GraphKind {
  return Object.hasOwn(GRAPH_SIGNATURES, value);
}
