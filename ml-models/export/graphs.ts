import { ElementType, OnnxGraphBuilder } from "./onnx-graph.ts";

/**
 * The ONNX graphs serving runs. Every "top-K" graph takes `k` (int64 [1]) so the
 * caller picks the list length, and where it ranks for a user it takes the items
 * to leave out (the user's history), masked in-graph with a large negative score.
 */
const EXCLUDED = -1e30;
const { FLOAT, INT64 } = ElementType;

/** scores [.., I] + (EXCLUDED at `exclude` indices); returns the masked tensor's name. */
function maskExcluded(g: OnnxGraphBuilder, scores: string, exclude: string, itemCount: number): string {
  g.floatTensor("mask_zeros", new Float32Array(itemCount), [itemCount]);
  g.node("Shape", [exclude], ["exclude_shape"]);
  g.node("ConstantOfShape", ["exclude_shape"], ["exclude_values"], {
    value: { tensor: { dims: [1], dataType: FLOAT, floatData: [EXCLUDED] } },
  });
  g.node("ScatterElements", ["mask_zeros", exclude, "exclude_values"], ["mask"], { axis: 0 });
  return g.node("Add", [scores, "mask"], ["masked_scores"]);
}

function topK(g: OnnxGraphBuilder, scores: string, batchDims: (number | string)[]): void {
  g.input("k", INT64, [1]);
  g.node("TopK", [scores, "k"], ["scores", "indices"], { axis: -1, largest: 1, sorted: 1 });
  g.output("scores", FLOAT, [...batchDims, "K"]);
  g.output("indices", INT64, [...batchDims, "K"]);
}

/** (user_index [N], item_index [N]) -> score [N] = <U[user], V[item]>: Gather, Mul, ReduceSum. */
export function factorScorerGraph(userFactors: Float32Array, itemFactors: Float32Array, users: number, items: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("factor_scorer");
  g.input("user_index", INT64, ["N"]);
  g.input("item_index", INT64, ["N"]);
  g.floatTensor("user_factors", userFactors, [users, factors]);
  g.floatTensor("item_factors", itemFactors, [items, factors]);
  g.int64Tensor("factor_axis", [1], [1]);
  g.node("Gather", ["user_factors", "user_index"], ["user_vectors"], { axis: 0 });
  g.node("Gather", ["item_factors", "item_index"], ["item_vectors"], { axis: 0 });
  g.node("Mul", ["user_vectors", "item_vectors"], ["products"]);
  g.node("ReduceSum", ["products", "factor_axis"], ["score"], { keepdims: 0 });
  g.output("score", FLOAT, ["N"]);
  return g.encode({ kind: "factor-scorer" });
}

/**
 * (user_vector [N, F], item_index [N]) -> score [N]: scores pairs for user vectors
 * that are not rows of the trained factors (a reader folded in since training), so
 * serving scores every (user, book) pair of a batch in one run.
 */
export function vectorScorerGraph(itemFactors: Float32Array, items: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("vector_scorer");
  g.input("user_vector", FLOAT, ["N", factors]);
  g.input("item_index", INT64, ["N"]);
  g.floatTensor("item_factors", itemFactors, [items, factors]);
  g.int64Tensor("factor_axis", [1], [1]);
  g.node("Gather", ["item_factors", "item_index"], ["item_vectors"], { axis: 0 });
  g.node("Mul", ["user_vector", "item_vectors"], ["products"]);
  g.node("ReduceSum", ["products", "factor_axis"], ["score"], { keepdims: 0 });
  g.output("score", FLOAT, ["N"]);
  return g.encode({ kind: "vector-scorer" });
}

/** user_index [B] -> user_vector [B, F]: the trained user factors, for the top-K graph. */
export function userVectorGraph(userFactors: Float32Array, users: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("user_vectors");
  g.input("user_index", INT64, ["B"]);
  g.floatTensor("user_factors", userFactors, [users, factors]);
  g.node("Gather", ["user_factors", "user_index"], ["user_vector"], { axis: 0 });
  g.output("user_vector", FLOAT, ["B", factors]);
  return g.encode({ kind: "user-vectors" });
}

/** (user_vector [B, F], exclude [E], k) -> top-K over the catalogue: MatMul (as Gemm with V^T) + TopK. */
export function vectorTopKGraph(itemFactors: Float32Array, items: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("user_top_k");
  g.input("user_vector", FLOAT, ["B", factors]);
  g.input("exclude", INT64, ["E"]);
  g.floatTensor("item_factors", itemFactors, [items, factors]);
  g.node("Gemm", ["user_vector", "item_factors"], ["all_scores"], { transB: 1 });
  topK(g, maskExcluded(g, "all_scores", "exclude", items), ["B"]);
  return g.encode({ kind: "user-top-k" });
}

/** (item_index [B], k) -> the k items nearest by embedding dot product, the item itself excluded. */
export function embeddingItemTopKGraph(embeddings: Float32Array, items: number, dimensions: number): Uint8Array {
  const g = new OnnxGraphBuilder("item_top_k");
  g.input("item_index", INT64, ["B"]);
  g.floatTensor("embeddings", embeddings, [items, dimensions]);
  g.int64Tensor("depth", [items], [1]);
  g.floatTensor("self_mask_values", Float32Array.from([0, EXCLUDED]), [2]);
  g.node("Gather", ["embeddings", "item_index"], ["item_vectors"], { axis: 0 });
  g.node("Gemm", ["item_vectors", "embeddings"], ["all_scores"], { transB: 1 });
  g.node("OneHot", ["item_index", "depth", "self_mask_values"], ["self_mask"], { axis: -1 });
  g.node("Add", ["all_scores", "self_mask"], ["masked_scores"]);
  topK(g, "masked_scores", ["B"]);
  return g.encode({ kind: "item-top-k" });
}

/** (history [H], k) -> top-K for a reader profile = mean of the history's embeddings; history excluded. */
export function embeddingHistoryTopKGraph(embeddings: Float32Array, items: number, dimensions: number): Uint8Array {
  const g = new OnnxGraphBuilder("history_top_k");
  g.input("history", INT64, ["H"]);
  g.floatTensor("embeddings", embeddings, [items, dimensions]);
  g.node("Gather", ["embeddings", "history"], ["history_vectors"], { axis: 0 });
  // Opset 17's ReduceMean still takes axes as an attribute.
  g.node("ReduceMean", ["history_vectors"], ["profile"], { axes: [0], keepdims: 1 });
  g.node("Gemm", ["profile", "embeddings"], ["all_scores"], { transB: 1 });
  topK(g, maskExcluded(g, "all_scores", "history", items), [1]);
  return g.encode({ kind: "history-top-k" });
}

/** item_index [B] -> the CF neighbour table's rows (indices -1 padded, similarities). */
export function neighbourTableGraph(neighbourIndex: Int32Array, neighbourScore: Float32Array, items: number, neighbours: number): Uint8Array {
  const g = new OnnxGraphBuilder("item_neighbours");
  g.input("item_index", INT64, ["B"]);
  g.int64Tensor("neighbour_index", neighbourIndex, [items, neighbours]);
  g.floatTensor("neighbour_score", neighbourScore, [items, neighbours]);
  g.node("Gather", ["neighbour_score", "item_index"], ["scores"], { axis: 0 });
  g.node("Gather", ["neighbour_index", "item_index"], ["indices"], { axis: 0 });
  g.output("scores", FLOAT, ["B", neighbours]);
  g.output("indices", INT64, ["B", neighbours]);
  return g.encode({ kind: "item-neighbours" });
}

/**
 * (history [H], k) -> item-CF top-K: the history's neighbour rows scattered with
 * reduction "add" into one score per item (sum of similarities), history excluded.
 * Padding (-1) lands on the last item with similarity 0, which adds nothing.
 */
export function neighbourHistoryTopKGraph(neighbourIndex: Int32Array, neighbourScore: Float32Array, items: number, neighbours: number): Uint8Array {
  const g = new OnnxGraphBuilder("cf_history_top_k");
  g.input("history", INT64, ["H"]);
  g.int64Tensor("neighbour_index", neighbourIndex, [items, neighbours]);
  g.floatTensor("neighbour_score", neighbourScore, [items, neighbours]);
  g.floatTensor("zeros", new Float32Array(items), [items]);
  g.int64Tensor("flat", [-1], [1]);
  g.node("Gather", ["neighbour_index", "history"], ["rows_index"], { axis: 0 });
  g.node("Gather", ["neighbour_score", "history"], ["rows_score"], { axis: 0 });
  g.node("Reshape", ["rows_index", "flat"], ["flat_index"]);
  g.node("Reshape", ["rows_score", "flat"], ["flat_score"]);
  g.node("ScatterElements", ["zeros", "flat_index", "flat_score"], ["summed"], { axis: 0, reduction: "add" });
  topK(g, maskExcluded(g, "summed", "history", items), []);
  return g.encode({ kind: "history-top-k" });
}

/** (exclude [E], k) -> the most popular items; and item_index [N] -> popularity score. */
export function popularityTopKGraph(scores: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder("popularity_top_k");
  g.input("exclude", INT64, ["E"]);
  g.floatTensor("popularity", scores, [scores.length]);
  topK(g, maskExcluded(g, "popularity", "exclude", scores.length), []);
  return g.encode({ kind: "popularity-top-k" });
}

export function popularityScorerGraph(scores: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder("popularity_scorer");
  g.input("item_index", INT64, ["N"]);
  g.floatTensor("popularity", scores, [scores.length]);
  g.node("Gather", ["popularity", "item_index"], ["score"], { axis: 0 });
  g.output("score", FLOAT, ["N"]);
  return g.encode({ kind: "popularity-scorer" });
}
