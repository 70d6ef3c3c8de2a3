import type { InteractionMatrices } from "../data/csr.ts";
import { ItemNeighbourModel } from "./item-neighbours.ts";

export interface ItemCfParams {
  /** Neighbours kept per item. */
  readonly neighbours: number;
  /** Added to the cosine denominator: damps similarities resting on few co-occurrences. */
  readonly shrinkage: number;
  /**
   * Weight of a reader's co-occurrences is 1 / n^userDamping (n = books they have):
   * someone who read 500 books says less about any two of them than someone who read 10.
   */
  readonly userDamping: number;
  /** Weight of each older book of the reader's history relative to the next newer one (1, the default, = all alike). */
  readonly recencyDecay?: number;
}

export const DEFAULT_ITEM_CF: ItemCfParams = { neighbours: 20, shrinkage: 0, userDamping: 0.5, recencyDecay: 1 };

/**
 * Item-item collaborative filtering: cosine similarity of items' reader sets
 * (binary co-occurrence), top-K neighbours per item; a user's score for j is the
 * sum of j's similarities to the items the user has.
 */
export class ItemCfModel extends ItemNeighbourModel {
  readonly name = "item-cf" as const;

  constructor(
    neighbourIndex: Int32Array,
    neighbourScore: Float32Array,
    itemCount: number,
    readonly params: ItemCfParams,
  ) {
    super(neighbourIndex, neighbourScore, itemCount, params.neighbours, params.recencyDecay ?? 1);
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { ...this.params };
  }
}

export function trainItemCf(matrices: InteractionMatrices, params: ItemCfParams = DEFAULT_ITEM_CF): ItemCfModel {
  const { userItem, itemUser } = matrices;
  const itemCount = itemUser.rows;
  const k = params.neighbours;
  const userWeight = Float64Array.from({ length: userItem.rows }, (_, u) => Math.pow(Math.max(1, userItem.indptr[u + 1]! - userItem.indptr[u]!), -params.userDamping));
  // Weighted reader counts: the cosine's norms under the same user weights.
  const readers = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    for (let e = itemUser.indptr[i]!; e < itemUser.indptr[i + 1]!; e++) readers[i]! += userWeight[itemUser.indices[e]!]!;
  }
  const neighbourIndex = new Int32Array(itemCount * k).fill(-1);
  const neighbourScore = new Float32Array(itemCount * k);
  const cooccurrence = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  for (let i = 0; i < itemCount; i++) {
    let touchedCount = 0;
    for (let e = itemUser.indptr[i]!; e < itemUser.indptr[i + 1]!; e++) {
      const u = itemUser.indices[e]!;
      const weight = userWeight[u]!;
      for (let f = userItem.indptr[u]!; f < userItem.indptr[u + 1]!; f++) {
        const j = userItem.indices[f]!;
        if (cooccurrence[j] === 0) touched[touchedCount++] = j;
        cooccurrence[j]! += weight;
      }
    }
    // Bounded min-heap of the best k neighbours (self excluded).
    let size = 0;
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      const co = cooccurrence[j]!;
      cooccurrence[j] = 0;
      if (j === i) continue;
      const sim = co / (Math.sqrt(readers[i]! * readers[j]!) + params.shrinkage);
      if (size < k) {
        let pos = size++;
        while (pos > 0) {
          const parent = (pos - 1) >> 1;
          if (heapVal[parent]! < sim || (heapVal[parent] === sim && heapIdx[parent]! > j)) break;
          heapVal[pos] = heapVal[parent]!;
          heapIdx[pos] = heapIdx[parent]!;
          pos = parent;
        }
        heapVal[pos] = sim;
        heapIdx[pos] = j;
        continue;
      }
      if (sim < heapVal[0]! || (sim === heapVal[0] && j > heapIdx[0]!)) continue;
      let pos = 0;
      for (;;) {
        const left = 2 * pos + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (heapVal[right]! < heapVal[left]! || (heapVal[right] === heapVal[left] && heapIdx[right]! > heapIdx[left]!)) ? right : left;
        if (heapVal[child]! > sim || (heapVal[child] === sim && heapIdx[child]! < j)) break;
        heapVal[pos] = heapVal[child]!;
        heapIdx[pos] = heapIdx[child]!;
        pos = child;
      }
      heapVal[pos] = sim;
      heapIdx[pos] = j;
    }
    const order = Array.from({ length: size }, (_, n) => n).sort(
      (a, b) => heapVal[b]! - heapVal[a]! || heapIdx[a]! - heapIdx[b]!,
    );
    for (let n = 0; n < size; n++) {
      neighbourIndex[i * k + n] = heapIdx[order[n]!]!;
      neighbourScore[i * k + n] = heapVal[order[n]!]!;
    }
  }
  return new ItemCfModel(neighbourIndex, neighbourScore, itemCount, params);
}
