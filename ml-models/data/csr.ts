import type { Interactions } from "./dataset.ts";

/** Compressed sparse rows: row r's entries are indices/data[indptr[r] .. indptr[r+1]). */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/** Builds a CSR from coordinates; duplicate (row, col) entries are kept as given (callers dedupe). */
export function csrFromCoordinates(
  rows: number,
  cols: number,
  rowOf: Int32Array,
  colOf: Int32Array,
  values: Float32Array,
): Csr {
  const nnz = rowOf.length;
  const indptr = new Int32Array(rows + 1);
  for (let e = 0; e < nnz; e++) indptr[rowOf[e]! + 1]!++;
  for (let r = 0; r < rows; r++) indptr[r + 1]! += indptr[r]!;
  const cursor = indptr.slice(0, rows);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let e = 0; e < nnz; e++) {
    const r = rowOf[e]!;
    const at = cursor[r]!++;
    indices[at] = colOf[e]!;
    data[at] = values[e]!;
  }
  return { rows, cols, indptr, indices, data };
}

export function transpose(matrix: Csr): Csr {
  const { rows, cols, indptr, indices, data } = matrix;
  const nnz = indices.length;
  const tIndptr = new Int32Array(cols + 1);
  for (let e = 0; e < nnz; e++) tIndptr[indices[e]! + 1]!++;
  for (let c = 0; c < cols; c++) tIndptr[c + 1]! += tIndptr[c]!;
  const cursor = tIndptr.slice(0, cols);
  const tIndices = new Int32Array(nnz);
  const tData = new Float32Array(nnz);
  for (let r = 0; r < rows; r++) {
    for (let e = indptr[r]!; e < indptr[r + 1]!; e++) {
      const at = cursor[indices[e]!]!++;
      tIndices[at] = r;
      tData[at] = data[e]!;
    }
  }
  return { rows: cols, cols: rows, indptr: tIndptr, indices: tIndices, data: tData };
}

/** The user x item matrix of interaction strengths, and its transpose. */
export interface InteractionMatrices {
  readonly userItem: Csr;
  readonly itemUser: Csr;
}

/** Each user's row is in time order, oldest first: history-weighted models read recency from it. */
export function interactionMatrices(interactions: Interactions, userCount: number, itemCount: number): InteractionMatrices {
  const { users, items, values, times } = interactions;
  const order = Int32Array.from({ length: users.length }, (_, r) => r).sort((a, b) => times[a]! - times[b]! || a - b);
  const userItem = csrFromCoordinates(
    userCount,
    itemCount,
    Int32Array.from(order, (r) => users[r]!),
    Int32Array.from(order, (r) => items[r]!),
    Float32Array.from(order, (r) => values[r]!),
  );
  return { userItem, itemUser: transpose(userItem) };
}

export function rowLength(matrix: Csr, row: number): number {
  return matrix.indptr[row + 1]! - matrix.indptr[row]!;
}

/**
 * The same matrices with each user's values multiplied by recencyDecay^(age), age
 * counted in books from the newest (0) back: a recent-first view of the history
 * for models that read the values as confidences (ALS). Rows must be in time order.
 */
export function recencyWeighted(matrices: InteractionMatrices, recencyDecay: number): InteractionMatrices {
  if (recencyDecay === 1) return matrices;
  const { userItem } = matrices;
  const data = new Float32Array(userItem.data.length);
  for (let u = 0; u < userItem.rows; u++) {
    let weight = 1;
    for (let e = userItem.indptr[u + 1]! - 1; e >= userItem.indptr[u]!; e--) {
      data[e] = userItem.data[e]! * weight;
      weight *= recencyDecay;
    }
  }
  const weighted = { ...userItem, data };
  return { userItem: weighted, itemUser: transpose(weighted) };
}
