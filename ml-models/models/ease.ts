import type { InteractionMatrices } from "../data/csr.ts";
import { invertWithOnnxRuntime } from "../linalg/onnx-inverse.ts";
import { topK } from "../linalg/top-k.ts";
import { ItemNeighbourModel } from "./item-neighbours.ts";

export interface EaseParams {
  /** L2 weight on the item-item weights (added to the Gram matrix's diagonal). */
  readonly regularization: number;
  /**
   * The closed form inverts an n x n matrix (n^3): it is solved on the `maxItems` most
   * read items, which hold nearly all interactions; the rest get no EASE score and are
   * left to the other models (and the hybrid).
   */
  readonly maxItems: number;
  /** Weights kept per item when the dense solution is sparsified for serving. */
  readonly neighbours: number;
  /** Weight of each older book of the reader's history relative to the next newer one (1 = all alike). */
  readonly recencyDecay: number;
}

export const DEFAULT_EASE: EaseParams = { regularization: 300, maxItems: 2500, neighbours: 200, recencyDecay: 0.9 };

/**
 * EASE (Steck 2019): the item-item weight matrix B minimising ||X - XB||^2 + reg ||B||^2
 * with a zero diagonal, in closed form: P = (X^T X + reg I)^-1, B_ij = -P_ij / P_jj.
 * Served like the other item-item models, as each item's strongest weights.
 */
export class EaseModel extends ItemNeighbourModel {
  readonly name = "ease" as const;

  constructor(
    neighbourIndex: Int32Array,
    neighbourScore: Float32Array,
    itemCount: number,
    readonly params: EaseParams,
    /** Items the closed form was solved on. */
    readonly solvedItems: number,
  ) {
    super(neighbourIndex, neighbourScore, itemCount, params.neighbours, params.recencyDecay);
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { ...this.params, solvedItems: this.solvedItems };
  }
}

/** The most read items (at least one reader), most read first. */
export function mostReadItems(matrices: InteractionMatrices, limit: number): Int32Array {
  const { itemUser } = matrices;
  const counts = Float64Array.from({ length: itemUser.rows }, (_, i) => itemUser.indptr[i + 1]! - itemUser.indptr[i]!);
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) counts[i] = -Infinity;
  return topK(counts, Math.min(limit, itemUser.rows));
}

/** X^T X over `items` (binary interactions), as a dense row-major float64 matrix. */
export function denseGram(matrices: InteractionMatrices, items: Int32Array): Float64Array {
  const { userItem } = matrices;
  const n = items.length;
  const position = new Int32Array(userItem.cols).fill(-1);
  items.forEach((item, p) => (position[item] = p));
  const gram = new Float64Array(n * n);
  const row = new Int32Array(userItem.cols);
  for (let u = 0; u < userItem.rows; u++) {
    let size = 0;
    for (let e = userItem.indptr[u]!; e < userItem.indptr[u + 1]!; e++) {
      const p = position[userItem.indices[e]!]!;
      if (p >= 0) row[size++] = p;
    }
    for (let a = 0; a < size; a++) {
      const base = row[a]! * n;
      for (let b = 0; b < size; b++) gram[base + row[b]!]! += 1;
    }
  }
  return gram;
}

/** Solves EASE for one regularisation on a precomputed Gram matrix (left untouched). */
export async function solveEase(gram: Float64Array, items: Int32Array, itemCount: number, params: EaseParams): Promise<EaseModel> {
  const n = items.length;
  const regularised = gram.slice();
  for (let p = 0; p < n; p++) regularised[p * n + p]! += params.regularization;
  const inverse = await invertWithOnnxRuntime(regularised, n);
  const width = params.neighbours;
  const neighbourIndex = new Int32Array(itemCount * width).fill(-1);
  const neighbourScore = new Float32Array(itemCount * width);
  const weights = new Float64Array(n);
  const diagonal = Float64Array.from({ length: n }, (_, p) => inverse[p * n + p]!);
  for (let p = 0; p < n; p++) {
    // Row p of B: what having item p adds to every other item's score.
    for (let q = 0; q < n; q++) weights[q] = -inverse[p * n + q]! / diagonal[q]!;
    weights[p] = -Infinity;
    const best = topK(weights, Math.min(width, n - 1));
    const base = items[p]! * width;
    let kept = 0;
    for (const q of best) {
      if (!(weights[q]! > 0)) break;
      neighbourIndex[base + kept] = items[q]!;
      neighbourScore[base + kept] = weights[q]!;
      kept++;
    }
  }
  return new EaseModel(neighbourIndex, neighbourScore, itemCount, params, n);
}

/**
 * The same B without an item x item inverse when readers are fewer than books
 * (Woodbury): (X^T X + reg I)^-1 = (I - X^T (X X^T + reg I)^-1 X) / reg, so only a
 * users x users matrix is inverted and P is produced one row at a time (row i sums
 * the rows of M X of i's readers), never held whole: exact EASE over the whole
 * catalogue in O(U^3 + nnz * I).
 */
export async function solveEaseDual(matrices: InteractionMatrices, params: EaseParams): Promise<EaseModel> {
  const { userItem, itemUser } = matrices;
  const users = userItem.rows;
  const itemCount = userItem.cols;
  const kernel = new Float64Array(users * users);
  for (let i = 0; i < itemCount; i++) {
    const from = itemUser.indptr[i]!;
    const to = itemUser.indptr[i + 1]!;
    for (let a = from; a < to; a++) {
      const base = itemUser.indices[a]! * users;
      for (let b = from; b < to; b++) kernel[base + itemUser.indices[b]!]! += 1;
    }
  }
  for (let u = 0; u < users; u++) kernel[u * users + u]! += params.regularization;
  const m = await invertWithOnnxRuntime(kernel, users);
  // MX (users x items): row u = sum over readers v of M[u, v] * X[v, :].
  const mx = new Float64Array(users * itemCount);
  for (let u = 0; u < users; u++) {
    const base = u * itemCount;
    const mRow = u * users;
    for (let v = 0; v < users; v++) {
      const weight = m[mRow + v]!;
      for (let e = userItem.indptr[v]!; e < userItem.indptr[v + 1]!; e++) mx[base + userItem.indices[e]!]! += weight;
    }
  }
  // P = (I - X^T M X) / reg; the common 1/reg cancels in B = -P_ij / P_jj.
  const diagonal = new Float64Array(itemCount);
  for (let j = 0; j < itemCount; j++) {
    let sum = 0;
    for (let e = itemUser.indptr[j]!; e < itemUser.indptr[j + 1]!; e++) sum += mx[itemUser.indices[e]! * itemCount + j]!;
    diagonal[j] = 1 - sum;
  }
  const width = params.neighbours;
  const neighbourIndex = new Int32Array(itemCount * width).fill(-1);
  const neighbourScore = new Float32Array(itemCount * width);
  const row = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    const from = itemUser.indptr[i]!;
    const to = itemUser.indptr[i + 1]!;
    if (from === to) continue; // an unread item adds nothing to anyone's scores
    row.fill(0);
    for (let e = from; e < to; e++) {
      const base = itemUser.indices[e]! * itemCount;
      for (let j = 0; j < itemCount; j++) row[j]! += mx[base + j]!;
    }
    // B_ij = -P_ij / P_jj with P_ij = -row[j] off the diagonal.
    for (let j = 0; j < itemCount; j++) row[j] = row[j]! / diagonal[j]!;
    row[i] = -Infinity;
    const best = topK(row, Math.min(width, itemCount - 1));
    let kept = 0;
    for (const j of best) {
      if (!(row[j]! > 0)) break;
      neighbourIndex[i * width + kept] = j;
      neighbourScore[i * width + kept] = row[j]!;
      kept++;
    }
  }
  return new EaseModel(neighbourIndex, neighbourScore, itemCount, params, itemCount);
}

/**
 * Exact EASE in whichever space is smaller (items, or readers through Woodbury) when
 * that fits `maxItems`; otherwise the primal problem on the `maxItems` most read items.
 */
export async function trainEase(matrices: InteractionMatrices, params: EaseParams = DEFAULT_EASE): Promise<EaseModel> {
  const users = matrices.userItem.rows;
  const itemCount = matrices.userItem.cols;
  if (users < itemCount && users <= params.maxItems) return solveEaseDual(matrices, params);
  const items = mostReadItems(matrices, params.maxItems);
  return solveEase(denseGram(matrices, items), items, itemCount, params);
}
