import type { Csr } from "../data/csr.ts";
import { topK } from "../linalg/top-k.ts";
import type { Recommender } from "./recommender.ts";

/**
 * A sparse item-item model: every item keeps its `width` strongest neighbours
 * (-1 padded) and a reader's score for j is the sum of j's weights from the items
 * the reader has, each weighted by its recency: with the history in time order the
 * newest book counts 1, the one before `recencyDecay`, then recencyDecay^2... What a
 * reader picks up next follows what they read last (the next book of a series, the
 * same author's new one) far more than what they read years ago; 1 weighs the whole
 * history alike. Item-CF, RP3beta and the sparsified EASE all serve this way, so
 * they share the scoring, the snapshot and the ONNX graphs.
 */
export abstract class ItemNeighbourModel implements Recommender {
  abstract readonly name: string;
  abstract readonly hyperparameters: Readonly<Record<string, unknown>>;

  constructor(
    /** itemCount x width, -1 padded. */
    readonly neighbourIndex: Int32Array,
    readonly neighbourScore: Float32Array,
    readonly itemCount: number,
    readonly width: number,
    readonly recencyDecay: number,
  ) {}

  /** `history` rows are in time order, oldest first (interactionMatrices sorts them). */
  scoreUser(user: number, history: Csr, out: Float32Array): void {
    out.fill(0);
    const k = this.width;
    const to = history.indptr[user + 1]!;
    let weight = 1;
    for (let e = to - 1; e >= history.indptr[user]!; e--) {
      const base = history.indices[e]! * k;
      for (let n = 0; n < k; n++) {
        const j = this.neighbourIndex[base + n]!;
        if (j < 0) break;
        out[j]! += weight * this.neighbourScore[base + n]!;
      }
      weight *= this.recencyDecay;
    }
  }
}

/**
 * Builds a neighbour table row by row: `fill(i, weights, touched)` writes item i's
 * candidate weights into `weights` (dense, zero elsewhere) and their indices into
 * `touched`, returning how many; the `width` largest are kept, best first, the item
 * itself and non-positive weights left out.
 */
export function neighbourTable(
  itemCount: number,
  width: number,
  fill: (item: number, weights: Float64Array, touched: Int32Array) => number,
): { index: Int32Array; score: Float32Array } {
  const index = new Int32Array(itemCount * width).fill(-1);
  const score = new Float32Array(itemCount * width);
  const weights = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    const count = fill(i, weights, touched);
    weights[i] = -Infinity;
    for (let t = 0; t < count; t++) if (!(weights[touched[t]!]! > 0)) weights[touched[t]!] = -Infinity;
    const best = topK(weights, width, touched, count);
    for (let n = 0; n < best.length; n++) {
      index[i * width + n] = best[n]!;
      score[i * width + n] = weights[best[n]!]!;
    }
    for (let t = 0; t < count; t++) weights[touched[t]!] = 0;
    weights[i] = 0;
  }
  return { index, score };
}
