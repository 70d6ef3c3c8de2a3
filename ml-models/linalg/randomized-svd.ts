import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Csr } from "../data/csr.ts";
import { createGaussian } from "./random.ts";

export interface RandomizedSvdOptions {
  readonly rank: number;
  readonly oversampling: number;
  readonly powerIterations: number;
  readonly seed: number;
}

/**
 * Truncated SVD of a sparse matrix by random projection (Halko, Martinsson & Tropp
 * 2011): the sparse products stay on typed arrays; only the small (rank+p)^2 Gram
 * matrix goes to ml-matrix's eigen-decomposition. Returns U * S (rows x rank), the
 * rows' coordinates in the top singular subspace, and the singular values.
 */
export function randomizedSvd(a: Csr, options: RandomizedSvdOptions): { embedding: Float32Array; singularValues: Float64Array; rank: number } {
  const l = Math.min(options.rank + options.oversampling, a.rows, a.cols);
  const rank = Math.min(options.rank, l);
  const gaussian = createGaussian(options.seed);
  const omega = Float64Array.from({ length: a.cols * l }, gaussian);
  let q = multiply(a, omega, l); // rows x l
  orthonormalizeColumns(q, a.rows, l);
  for (let iteration = 0; iteration < options.powerIterations; iteration++) {
    const z = multiplyTransposed(a, q, l); // cols x l
    orthonormalizeColumns(z, a.cols, l);
    q = multiply(a, z, l);
    orthonormalizeColumns(q, a.rows, l);
  }
  // B = Q^T A (l x cols); B B^T = (A^T Q)^T (A^T Q) is l x l.
  const bt = multiplyTransposed(a, q, l); // cols x l
  const small = new Matrix(l, l);
  for (let x = 0; x < l; x++) {
    for (let y = x; y < l; y++) {
      let sum = 0;
      for (let r = 0; r < a.cols; r++) sum += bt[r * l + x]! * bt[r * l + y]!;
      small.set(x, y, sum);
      small.set(y, x, sum);
    }
  }
  const eigen = new EigenvalueDecomposition(small, { assumeSymmetric: true });
  const values = eigen.realEigenvalues;
  const vectors = eigen.eigenvectorMatrix;
  const order = values.map((_, index) => index).sort((x, y) => values[y]! - values[x]!).slice(0, rank);
  const singularValues = Float64Array.from(order, (index) => Math.sqrt(Math.max(values[index]!, 0)));
  // U S = Q * V_B * S where B B^T = V_B S^2 V_B^T.
  const embedding = new Float32Array(a.rows * rank);
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < rank; c++) {
      const column = order[c]!;
      let sum = 0;
      for (let x = 0; x < l; x++) sum += q[r * l + x]! * vectors.get(x, column);
      embedding[r * rank + c] = sum * singularValues[c]!;
    }
  }
  return { embedding, singularValues, rank };
}

/** A (rows x cols, sparse) times M (cols x l, dense) -> rows x l. */
function multiply(a: Csr, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  for (let r = 0; r < a.rows; r++) {
    const outBase = r * l;
    for (let e = a.indptr[r]!; e < a.indptr[r + 1]!; e++) {
      const v = a.data[e]!;
      const mBase = a.indices[e]! * l;
      for (let c = 0; c < l; c++) out[outBase + c]! += v * m[mBase + c]!;
    }
  }
  return out;
}

/** A^T (cols x rows) times M (rows x l) -> cols x l. */
function multiplyTransposed(a: Csr, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.cols * l);
  for (let r = 0; r < a.rows; r++) {
    const mBase = r * l;
    for (let e = a.indptr[r]!; e < a.indptr[r + 1]!; e++) {
      const v = a.data[e]!;
      const outBase = a.indices[e]! * l;
      for (let c = 0; c < l; c++) out[outBase + c]! += v * m[mBase + c]!;
    }
  }
  return out;
}

/** Modified Gram-Schmidt on the columns of a row-major rows x l matrix, in place. */
function orthonormalizeColumns(m: Float64Array, rows: number, l: number): void {
  for (let c = 0; c < l; c++) {
    for (let prev = 0; prev < c; prev++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += m[r * l + c]! * m[r * l + prev]!;
      for (let r = 0; r < rows; r++) m[r * l + c]! -= dot * m[r * l + prev]!;
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += m[r * l + c]! * m[r * l + c]!;
    norm = Math.sqrt(norm);
    const scale = norm > 1e-12 ? 1 / norm : 0;
    for (let r = 0; r < rows; r++) m[r * l + c]! *= scale;
  }
}
