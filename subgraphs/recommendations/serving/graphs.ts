import { MODEL_FILES } from "../../../lib/models/artifact-format.ts";
import { floats, floatTensor, indices, int64Tensor } from "../../../lib/models/onnx.ts";
import type { BatchedGraph } from "./shared-batcher.ts";

/** A ranked list in model indices. */
export interface IndexedList {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Rows [B, K] of a top-K output, one list per request; padding (index < 0) dropped. */
function rows(scoreData: Float32Array, indexData: Int32Array, count: number, width: number, take: (row: number) => number): IndexedList[] {
  return Array.from({ length: count }, (_unused, row) => {
    const items: number[] = [];
    const scores: number[] = [];
    for (let c = 0; c < Math.min(width, take(row)); c++) {
      const item = indexData[row * width + c]!;
      const score = scoreData[row * width + c]!;
      if (item < 0 || !Number.isFinite(score) || score < -1e29) continue;
      items.push(item);
      scores.push(score);
    }
    return { items: Int32Array.from(items), scores: Float32Array.from(scores) };
  });
}

/** ALS: (user vector, book index) pairs -> predicted preference. */
export const alsPairScores: BatchedGraph<{ vector: Float32Array; item: number }, number> = {
  file: MODEL_FILES.als.vectorScorer,
  feeds(model, requests) {
    const k = model.state.als!.factors;
    const vectors = new Float32Array(requests.length * k);
    requests.forEach((request, n) => vectors.set(request.vector, n * k));
    return { user_vector: floatTensor(vectors, [requests.length, k]), item_index: int64Tensor(requests.map((r) => r.item)) };
  },
  split: (outputs) => Array.from(floats(outputs.score)),
};

/** ALS: user vector -> top-K over the catalogue. Nothing excluded in-graph so users batch together; callers filter. */
export const alsUserTopK: BatchedGraph<{ vector: Float32Array; k: number }, IndexedList> = {
  file: MODEL_FILES.als.userTopK,
  feeds(model, requests) {
    const k = model.state.als!.factors;
    const vectors = new Float32Array(requests.length * k);
    requests.forEach((request, n) => vectors.set(request.vector, n * k));
    const width = Math.min(Math.max(...requests.map((r) => r.k)), model.ids.items.length);
    return { user_vector: floatTensor(vectors, [requests.length, k]), exclude: int64Tensor([]), k: int64Tensor([width]) };
  },
  split(outputs, requests) {
    const scores = floats(outputs.scores);
    const width = scores.length / requests.length;
    return rows(scores, indices(outputs.indices), requests.length, width, (row) => requests[row]!.k);
  },
};

/** Item-CF: book index -> its stored neighbour row. */
export const cfNeighbours: BatchedGraph<number, IndexedList> = {
  file: MODEL_FILES["item-cf"].itemNeighbours,
  feeds: (_model, requests) => ({ item_index: int64Tensor(requests) }),
  split(outputs, requests) {
    const scores = floats(outputs.scores);
    const width = scores.length / requests.length;
    return rows(scores, indices(outputs.indices), requests.length, width, () => width).map((list) => {
      // The table pads with (-1, 0): zero-similarity entries are padding, not neighbours.
      const keep = Array.from(list.scores, (s, i) => (s > 0 ? i : -1)).filter((i) => i >= 0);
      return { items: Int32Array.from(keep, (i) => list.items[i]!), scores: Float32Array.from(keep, (i) => list.scores[i]!) };
    });
  },
};

/** Content: book index -> nearest books by embedding. */
export const contentNeighbours: BatchedGraph<{ item: number; k: number }, IndexedList> = {
  file: MODEL_FILES.content.itemTopK,
  feeds(model, requests) {
    const width = Math.min(Math.max(...requests.map((r) => r.k)), model.ids.items.length - 1);
    return { item_index: int64Tensor(requests.map((r) => r.item)), k: int64Tensor([width]) };
  },
  split(outputs, requests) {
    const scores = floats(outputs.scores);
    const width = scores.length / requests.length;
    return rows(scores, indices(outputs.indices), requests.length, width, (row) => requests[row]!.k);
  },
};

/** History graphs (item-CF, content) mask the reader's own history, so each reader is its own call. */
export function historyTopK(file: string): BatchedGraph<{ history: Int32Array; k: number }, IndexedList> {
  return {
    file,
    maxRows: 1,
    feeds(model, requests) {
      const request = requests[0]!;
      const width = Math.min(request.k, model.ids.items.length);
      return { history: int64Tensor(request.history), k: int64Tensor([width]) };
    },
    split(outputs, requests) {
      const scores = floats(outputs.scores);
      return rows(scores, indices(outputs.indices), 1, scores.length, () => requests[0]!.k);
    },
  };
}
