import { TENSOR, type GraphKind } from "../../../lib/models/graph-signatures.ts";
import { floats, floatTensor, indices, int64Tensor } from "../../../lib/models/onnx.ts";
import type { LoadedModel } from "./loaded-model.ts";
import type { BatchedGraph } from "./shared-batcher.ts";

/**
 * How serving runs each graph kind of lib/models/graph-signatures.ts, whatever model
 * exported it: feeds built and outputs read by the shared tensor names, the file
 * taken from the model's serving description.
 */

/**
 * The kinds this module runs. A version may ship others (ALS's factor-scorer and
 * user-vectors graphs, popularity's top-K) that serving reads constants from or
 * never calls; opening sessions for them only held their initializers in memory.
 */
export const SERVED_GRAPH_KINDS: ReadonlySet<GraphKind> = new Set<GraphKind>(["vector-scorer", "user-top-k", "item-neighbours", "item-top-k", "history-top-k", "history-scorer"]);

/** A ranked list in model indices. */
export interface IndexedList {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Rows [B, K] of a top-K output, one list per request; padding (index < 0) dropped. */
function rows(
  scoreData: Float32Array,
  indexData: Int32Array,
  count: number,
  width: number,
  take: (row: number) => number,
  keep: (score: number) => boolean = () => true,
): IndexedList[] {
  const lists: IndexedList[] = [];
  for (let row = 0; row < count; row++) {
    // Written straight into typed arrays (a view of the kept prefix): this runs for every
    // list served, and the intermediate number arrays were a large share of its garbage.
    const length = Math.min(width, take(row));
    const items = new Int32Array(length);
    const scores = new Float32Array(length);
    let kept = 0;
    for (let c = 0; c < length; c++) {
      const item = indexData[row * width + c]!;
      const score = scoreData[row * width + c]!;
      if (item < 0 || !Number.isFinite(score) || score < -1e29 || !keep(score)) continue;
      items[kept] = item;
      scores[kept] = score;
      kept += 1;
    }
    lists.push({ items: items.subarray(0, kept), scores: scores.subarray(0, kept) });
  }
  return lists;
}

function vectors(model: LoadedModel, requests: readonly { vector: Float32Array }[]) {
  const k = model.state.factors!.factors;
  const data = new Float32Array(requests.length * k);
  requests.forEach((request, n) => data.set(request.vector, n * k));
  return floatTensor(data, [requests.length, k]);
}

/** vector-scorer: (user vector, book index) pairs -> predicted preference. */
export function vectorPairScores(model: LoadedModel): BatchedGraph<{ vector: Float32Array; item: number }, number> {
  return {
    kind: "vector-scorer",
    feeds: (loaded, requests) => ({ [TENSOR.userVector]: vectors(loaded, requests), [TENSOR.itemIndex]: int64Tensor(requests.map((r) => r.item)) }),
    split: (outputs) => Array.from(floats(outputs[TENSOR.score])),
  };
}

/** user-top-k: user vector -> top-K over the catalogue. Nothing excluded in-graph so users batch together; callers filter. */
export function vectorTopK(model: LoadedModel): BatchedGraph<{ vector: Float32Array; k: number }, IndexedList> {
  return {
    kind: "user-top-k",
    feeds(loaded, requests) {
      const width = Math.min(Math.max(...requests.map((r) => r.k)), loaded.ids.items.length);
      return { [TENSOR.userVector]: vectors(loaded, requests), [TENSOR.exclude]: int64Tensor([]), [TENSOR.k]: int64Tensor([width]) };
    },
    split(outputs, requests) {
      const scores = floats(outputs[TENSOR.scores]);
      const width = scores.length / requests.length;
      return rows(scores, indices(outputs[TENSOR.indices]), requests.length, width, (row) => requests[row]!.k);
    },
  };
}

/** item-neighbours: book index -> its stored neighbour row. */
export function neighbourRows(model: LoadedModel): BatchedGraph<number, IndexedList> {
  return {
    kind: "item-neighbours",
    feeds: (_loaded, requests) => ({ [TENSOR.itemIndex]: int64Tensor(requests) }),
    split(outputs, requests) {
      const scores = floats(outputs[TENSOR.scores]);
      const width = scores.length / requests.length;
      // The table pads with (-1, 0): zero-weight entries are padding, not neighbours.
      return rows(scores, indices(outputs[TENSOR.indices]), requests.length, width, () => width, (score) => score > 0);
    },
  };
}

/** item-top-k: book index -> nearest books (e.g. by embedding). */
export function itemTopK(model: LoadedModel): BatchedGraph<{ item: number; k: number }, IndexedList> {
  return {
    kind: "item-top-k",
    feeds(loaded, requests) {
      const width = Math.min(Math.max(...requests.map((r) => r.k)), loaded.ids.items.length - 1);
      return { [TENSOR.itemIndex]: int64Tensor(requests.map((r) => r.item)), [TENSOR.k]: int64Tensor([width]) };
    },
    split(outputs, requests) {
      const scores = floats(outputs[TENSOR.scores]);
      const width = scores.length / requests.length;
      return rows(scores, indices(outputs[TENSOR.indices]), requests.length, width, (row) => requests[row]!.k);
    },
  };
}

/** history-top-k: the reader's books (oldest first) -> best unseen books. Each reader is its own call (the history is masked in-graph). */
export function historyTopK(model: LoadedModel): BatchedGraph<{ history: Int32Array; k: number }, IndexedList> {
  return {
    kind: "history-top-k",
    maxRows: 1,
    feeds(loaded, requests) {
      const request = requests[0]!;
      const width = Math.min(request.k, loaded.ids.items.length);
      return { [TENSOR.history]: int64Tensor(request.history), [TENSOR.k]: int64Tensor([width]) };
    },
    split(outputs, requests) {
      const scores = floats(outputs[TENSOR.scores]);
      return rows(scores, indices(outputs[TENSOR.indices]), 1, scores.length, () => requests[0]!.k);
    },
  };
}

/** history-scorer: the reader's books (oldest first) and some books -> those books' scores. */
export function historyScores(model: LoadedModel): BatchedGraph<{ history: Int32Array; items: Int32Array }, Float32Array> {
  return {
    kind: "history-scorer",
    maxRows: 1,
    feeds: (_loaded, requests) => ({ [TENSOR.history]: int64Tensor(requests[0]!.history), [TENSOR.itemIndex]: int64Tensor(requests[0]!.items) }),
    split: (outputs) => [floats(outputs[TENSOR.score])],
  };
}
