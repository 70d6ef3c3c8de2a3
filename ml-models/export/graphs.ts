import { combinedOutputName } from "../../lib/models/graph-calls.ts";
import { INITIALIZER, TENSOR, type GraphKind } from "../../lib/models/graph-signatures.ts";
import type onnxProto from "onnx-proto";
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
  return maskExcludedOver(g, scores, exclude, g.floatTensor("mask_zeros", new Float32Array(itemCount), [itemCount]));
}

/** The same mask, scattered onto an existing [I] zeros tensor (an If branch reads its outer graph's). */
function maskExcludedOver(g: OnnxGraphBuilder, scores: string, exclude: string, zeros: string): string {
  g.node("Shape", [exclude], ["exclude_shape"]);
  g.node("ConstantOfShape", ["exclude_shape"], ["exclude_values"], {
    value: { tensor: { dims: [1], dataType: FLOAT, floatData: [EXCLUDED] } },
  });
  g.node("ScatterElements", [zeros, exclude, "exclude_values"], ["mask"], { axis: 0 });
  return g.node("Add", [scores, "mask"], ["masked_scores"]);
}

function topK(g: OnnxGraphBuilder, scores: string, batchDims: (number | string)[]): void {
  g.input(TENSOR.k, INT64, [1]);
  g.node("TopK", [scores, TENSOR.k], [TENSOR.scores, TENSOR.indices], { axis: -1, largest: 1, sorted: 1 });
  g.output(TENSOR.scores, FLOAT, [...batchDims, "K"]);
  g.output(TENSOR.indices, INT64, [...batchDims, "K"]);
}

/** (user_index [N], item_index [N]) -> score [N] = <U[user], V[item]>: Gather, Mul, ReduceSum. */
export function factorScorerGraph(userFactors: Float32Array, itemFactors: Float32Array, users: number, items: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("factor_scorer");
  g.input(TENSOR.userIndex, INT64, ["N"]);
  g.input(TENSOR.itemIndex, INT64, ["N"]);
  g.floatTensor(INITIALIZER.userFactors, userFactors, [users, factors]);
  g.floatTensor(INITIALIZER.itemFactors, itemFactors, [items, factors]);
  g.int64Tensor("factor_axis", [1], [1]);
  g.node("Gather", [INITIALIZER.userFactors, TENSOR.userIndex], ["user_vectors"], { axis: 0 });
  g.node("Gather", [INITIALIZER.itemFactors, TENSOR.itemIndex], ["item_vectors"], { axis: 0 });
  g.node("Mul", ["user_vectors", "item_vectors"], ["products"]);
  g.node("ReduceSum", ["products", "factor_axis"], [TENSOR.score], { keepdims: 0 });
  g.output(TENSOR.score, FLOAT, ["N"]);
  return g.encode({ kind: "factor-scorer" });
}

/**
 * ALS's two served graphs in one file over one copy of the item factors (as
 * `neighbourGraph` does for a table): vector-scorer, (user_vector [B = N, F], item_index
 * [N]) -> score [N], and user-top-k, (user_vector [B, F], exclude [E], k) -> top-K
 * [B, K]; outputs named by kind (lib/models/graph-calls.ts). Two files held the
 * factors twice in every serving session (at 10,000 books x 192 factors 28 MB of RSS
 * for the two sessions, 16 MB for the one). Each kind is an If on its own inputs (items; k > 0), since a call feeds the
 * other kind empty placeholders and ONNX Runtime runs every node.
 */
export function itemFactorGraph(itemFactors: Float32Array, items: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("item_factors");
  g.floatTensor(INITIALIZER.itemFactors, itemFactors, [items, factors]);
  // Two symbolic dimensions: a user-top-k call feeds B vectors and no items, a vector-scorer call one vector per item (B = N).
  g.input(TENSOR.userVector, FLOAT, ["B", factors]);
  g.input(TENSOR.itemIndex, INT64, ["N"]);
  g.input(TENSOR.exclude, INT64, ["E"]);
  g.input(TENSOR.k, INT64, [1]);
  // Constants the branches read from the outer graph.
  g.floatTensor("zeros", new Float32Array(items), [items]);
  g.int64Tensor("factor_axis", [1], [1]);
  g.int64Tensor("zero", [0], []);
  g.int64Tensor("zero_1d", [0], [1]);
  g.node("Size", [TENSOR.itemIndex], ["item_count"]);
  g.node("Greater", ["item_count", "zero"], ["has_items"]);
  g.node("Greater", [TENSOR.k, "zero_1d"], ["has_k"]);

  const score = combinedOutputName("vector-scorer", TENSOR.score);
  const scoring = new OnnxGraphBuilder("vector_scorer");
  scoring.node("Gather", [INITIALIZER.itemFactors, TENSOR.itemIndex], ["item_vectors"], { axis: 0 });
  scoring.node("Mul", [TENSOR.userVector, "item_vectors"], ["products"]);
  scoring.node("ReduceSum", ["products", "factor_axis"], ["pair_scores"], { keepdims: 0 });
  scoring.output("pair_scores", FLOAT, ["N"]);
  g.node("If", ["has_items"], [score], {
    then_branch: { graph: scoring.graph() },
    else_branch: { graph: emptyBranch("vector_scorer_skipped", [FLOAT]) },
  });
  g.output(score, FLOAT, ["N"]);

  topKIf(g, "user-top-k", "user_top_k", "has_k", ["B"], (ranking) => {
    ranking.node("Gemm", [TENSOR.userVector, INITIALIZER.itemFactors], ["all_scores"], { transB: 1 });
    return maskExcludedOver(ranking, "all_scores", TENSOR.exclude, "zeros");
  });
  return g.encode({ kind: "item-factors" });
}

/** user_index [B] -> user_vector [B, F]: the trained user factors, for the top-K graph. */
export function userVectorGraph(userFactors: Float32Array, users: number, factors: number): Uint8Array {
  const g = new OnnxGraphBuilder("user_vectors");
  g.input(TENSOR.userIndex, INT64, ["B"]);
  g.floatTensor(INITIALIZER.userFactors, userFactors, [users, factors]);
  g.node("Gather", [INITIALIZER.userFactors, TENSOR.userIndex], [TENSOR.userVector], { axis: 0 });
  g.output(TENSOR.userVector, FLOAT, ["B", factors]);
  return g.encode({ kind: "user-vectors" });
}

/** (item_index [B], k) -> the k items nearest by embedding dot product, the item itself excluded. */
export function embeddingItemTopKGraph(embeddings: Float32Array, items: number, dimensions: number): Uint8Array {
  const g = new OnnxGraphBuilder("item_top_k");
  g.input(TENSOR.itemIndex, INT64, ["B"]);
  g.floatTensor(INITIALIZER.embeddings, embeddings, [items, dimensions]);
  g.int64Tensor("depth", [items], [1]);
  g.floatTensor("self_mask_values", Float32Array.from([0, EXCLUDED]), [2]);
  g.node("Gather", [INITIALIZER.embeddings, TENSOR.itemIndex], ["item_vectors"], { axis: 0 });
  g.node("Gemm", ["item_vectors", INITIALIZER.embeddings], ["all_scores"], { transB: 1 });
  g.node("OneHot", [TENSOR.itemIndex, "depth", "self_mask_values"], ["self_mask"], { axis: -1 });
  g.node("Add", ["all_scores", "self_mask"], ["masked_scores"]);
  topK(g, "masked_scores", ["B"]);
  return g.encode({ kind: "item-top-k" });
}

/** (history [H], k) -> top-K for a reader profile = mean of the history's embeddings; history excluded. */
export function embeddingHistoryTopKGraph(embeddings: Float32Array, items: number, dimensions: number): Uint8Array {
  const g = new OnnxGraphBuilder("history_top_k");
  g.input(TENSOR.history, INT64, ["H"]);
  g.floatTensor(INITIALIZER.embeddings, embeddings, [items, dimensions]);
  g.node("Gather", [INITIALIZER.embeddings, TENSOR.history], ["history_vectors"], { axis: 0 });
  // Opset 17's ReduceMean still takes axes as an attribute.
  g.node("ReduceMean", ["history_vectors"], ["profile"], { axes: [0], keepdims: 1 });
  g.node("Gemm", ["profile", INITIALIZER.embeddings], ["all_scores"], { transB: 1 });
  topK(g, maskExcluded(g, "all_scores", TENSOR.history, items), [1]);
  return g.encode({ kind: "history-top-k" });
}

/**
 * A neighbour-table model's three graphs in one file over one copy of the table
 * (item-neighbours, history-top-k, history-scorer; outputs named by kind, see
 * lib/models/graph-calls.ts): ONNX Runtime holds a session's initializers per
 * session, so three files held the table three times in every serving process.
 * Indices are stored as int32 (half of int64's bytes) and widened where they leave.
 *
 * ONNX Runtime runs every node of a graph whatever outputs are fetched, and a call
 * feeds the other kinds empty placeholders: each history kind is therefore an If
 * that runs only when its own inputs are there (a history and `k`, a history and
 * items), so a call costs what its own kind costs. The table lookup is a Gather of
 * the asked rows, nothing when none are asked.
 */
export function neighbourGraph(neighbourIndex: Int32Array, neighbourScore: Float32Array, items: number, neighbours: number, recencyDecay = 1): Uint8Array {
  const g = new OnnxGraphBuilder("neighbours");
  g.int32Tensor(INITIALIZER.neighbourIndex, neighbourIndex, [items, neighbours]);
  g.floatTensor(INITIALIZER.neighbourScore, neighbourScore, [items, neighbours]);
  g.input(TENSOR.itemIndex, INT64, ["N"]);
  g.input(TENSOR.history, INT64, ["H"]);
  g.input(TENSOR.k, INT64, [1]);

  const table = (tensor: string) => combinedOutputName("item-neighbours", tensor);
  g.node("Gather", [INITIALIZER.neighbourScore, TENSOR.itemIndex], [table(TENSOR.scores)], { axis: 0 });
  g.node("Gather", [INITIALIZER.neighbourIndex, TENSOR.itemIndex], ["table_indices"], { axis: 0 });
  g.node("Cast", ["table_indices"], [table(TENSOR.indices)], { to: INT64 });
  g.output(table(TENSOR.scores), FLOAT, ["N", neighbours]);
  g.output(table(TENSOR.indices), INT64, ["N", neighbours]);

  // Constants the history branches read from the outer graph.
  g.floatTensor("zeros", new Float32Array(items), [items]);
  g.int64Tensor("flat", [-1], [1]);
  g.int64Tensor("axis_zero", [0], [1]);
  g.int64Tensor("axis_one", [1], [1]);
  g.int64Tensor("zero", [0], []);
  g.int64Tensor("zero_1d", [0], [1]);
  g.int64Tensor("one", [1], []);
  g.floatTensor("recency_decay", Float32Array.from([recencyDecay]), []);
  g.node("Size", [TENSOR.history], ["history_size"]);
  g.node("Greater", ["history_size", "zero"], ["has_history"]);
  g.node("Size", [TENSOR.itemIndex], ["item_count"]);
  g.node("Greater", ["item_count", "zero"], ["has_items"]);
  g.node("Greater", [TENSOR.k, "zero_1d"], ["has_k"]);
  g.node("And", ["has_history", "has_k"], ["run_history_top_k"]);
  g.node("And", ["has_history", "has_items"], ["run_history_scorer"]);

  topKIf(g, "history-top-k", "history_top_k", "run_history_top_k", [], (top) =>
    maskExcludedOver(top, historyNeighbourScores(top, "top"), TENSOR.history, "zeros"),
  );

  const scorer = combinedOutputName("history-scorer", TENSOR.score);
  const scoring = new OnnxGraphBuilder("history_scorer");
  scoring.node("Gather", [historyNeighbourScores(scoring, "scorer"), TENSOR.itemIndex], ["scorer_scores"], { axis: 0 });
  scoring.output("scorer_scores", FLOAT, ["N"]);
  g.node("If", ["run_history_scorer"], [scorer], {
    then_branch: { graph: scoring.graph() },
    else_branch: { graph: emptyBranch("history_scorer_skipped", [FLOAT]) },
  });
  g.output(scorer, FLOAT, ["N"]);
  return g.encode({ kind: "neighbours" });
}

/**
 * A combined file's top-K kind: an If on `condition` whose branch ranks the scores `scoresIn`
 * builds there by the outer `k`, answering the kind's two outputs ([...batchDims, K]),
 * or empty ones when the call is for another kind.
 */
function topKIf(g: OnnxGraphBuilder, kind: GraphKind, name: string, condition: string, batchDims: string[], scoresIn: (branch: OnnxGraphBuilder) => string): void {
  const output = (tensor: string) => combinedOutputName(kind, tensor);
  const dims = [...batchDims, "K"];
  const branch = new OnnxGraphBuilder(name);
  branch.node("TopK", [scoresIn(branch), TENSOR.k], ["top_scores", "top_indices"], { axis: -1, largest: 1, sorted: 1 });
  branch.output("top_scores", FLOAT, dims);
  branch.output("top_indices", INT64, dims);
  g.node("If", [condition], [output(TENSOR.scores), output(TENSOR.indices)], {
    then_branch: { graph: branch.graph() },
    else_branch: { graph: emptyBranch(`${name}_skipped`, [FLOAT, INT64], dims.length) },
  });
  g.output(output(TENSOR.scores), FLOAT, dims);
  g.output(output(TENSOR.indices), INT64, dims);
}

/** An If branch answering empty tensors of the given types and rank (a kind not asked for). */
function emptyBranch(name: string, types: ElementType[], rank = 1): onnxProto.onnx.IGraphProto {
  const b = new OnnxGraphBuilder(name);
  const dims = Array.from({ length: rank }, () => 0);
  types.forEach((type, n) => {
    const output = `${name}_${n}`;
    b.node("Constant", [], [output], { value: { tensor: { dims, dataType: type, rawData: new Uint8Array(0) } } });
    b.output(output, type, dims);
  });
  return b.graph();
}

/**
 * The reader's score of every item from the neighbour table: the history's rows
 * (history oldest first), each weighted by recencyDecay^(age in the history, newest
 * = 0), scattered with reduction "add" into one score per item. Padding (-1) lands
 * on the last item with weight 0, which adds nothing. Built inside an If branch; its
 * node outputs are prefixed, as names must not repeat across a model's branches.
 */
function historyNeighbourScores(b: OnnxGraphBuilder, prefix: string): string {
  const n = (name: string) => `${prefix}_${name}`;
  b.node("Shape", [TENSOR.history], [n("history_shape")]);
  b.node("Squeeze", [n("history_shape"), "axis_zero"], [n("history_length")]);
  b.node("Range", ["zero", n("history_length"), "one"], [n("positions")]);
  b.node("Sub", [n("history_length"), n("positions")], [n("age_plus_one")]);
  b.node("Sub", [n("age_plus_one"), "one"], [n("age")]);
  b.node("Cast", [n("age")], [n("age_float")], { to: FLOAT });
  b.node("Pow", ["recency_decay", n("age_float")], [n("recency")]);
  b.node("Unsqueeze", [n("recency"), "axis_one"], [n("recency_column")]);
  b.node("Gather", [INITIALIZER.neighbourIndex, TENSOR.history], [n("rows_index")], { axis: 0 });
  b.node("Gather", [INITIALIZER.neighbourScore, TENSOR.history], [n("rows_score")], { axis: 0 });
  b.node("Mul", [n("rows_score"), n("recency_column")], [n("weighted_rows")]);
  b.node("Reshape", [n("rows_index"), "flat"], [n("flat_index")]);
  b.node("Reshape", [n("weighted_rows"), "flat"], [n("flat_score")]);
  return b.node("ScatterElements", ["zeros", n("flat_index"), n("flat_score")], [n("summed")], { axis: 0, reduction: "add" });
}

/** (exclude [E], k) -> the most popular items; and item_index [N] -> popularity score. */
export function popularityTopKGraph(scores: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder("popularity_top_k");
  g.input(TENSOR.exclude, INT64, ["E"]);
  g.floatTensor(INITIALIZER.popularity, scores, [scores.length]);
  topK(g, maskExcluded(g, INITIALIZER.popularity, TENSOR.exclude, scores.length), []);
  return g.encode({ kind: "popularity-top-k" });
}

export function popularityScorerGraph(scores: Float32Array): Uint8Array {
  const g = new OnnxGraphBuilder("popularity_scorer");
  g.input(TENSOR.itemIndex, INT64, ["N"]);
  g.floatTensor(INITIALIZER.popularity, scores, [scores.length]);
  g.node("Gather", [INITIALIZER.popularity, TENSOR.itemIndex], [TENSOR.score], { axis: 0 });
  g.output(TENSOR.score, FLOAT, ["N"]);
  return g.encode({ kind: "popularity-scorer" });
}
