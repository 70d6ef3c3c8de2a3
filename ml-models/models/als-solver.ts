import type { Csr } from "../data/csr.ts";
import { gram } from "../linalg/dense.ts";

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) solved row by row with a few
 * conjugate-gradient steps warm-started from the previous factors (Takacs et al.
 * 2011), so a row costs O(nnz * k + k^2) instead of Cholesky's O(nnz * k^2 + k^3):
 * the difference between seconds and minutes at 6 million ratings.
 *
 * For row u (a user, or an item on the other half-step) with confidences
 * c_ui = 1 + alpha * r_ui it solves  (Y^T Y + Y^T (C_u - I) Y + reg I) x_u = Y^T C_u p_u.
 */
export interface AlsSolverParams {
  readonly factors: number;
  readonly regularization: number;
  readonly alpha: number;
  readonly cgSteps: number;
  /**
   * Frequency-scaled regularisation (Zhou et al. 2008; Rendle et al. 2022): row u is
   * regularised by reg * ((n_u + 1) / (mean n + 1))^exponent, n_u its interactions,
   * so heavy readers and best-sellers, whose rows have the most evidence, are not
   * shrunk as hard as rows resting on a handful of signals are. 0 = one reg for all.
   */
  readonly regularizationExponent?: number;
}

/** The regularisation of a row with `count` interactions when rows average `mean`. */
export function rowRegularization(params: AlsSolverParams, count: number, mean: number): number {
  const exponent = params.regularizationExponent ?? 0;
  return exponent === 0 ? params.regularization : params.regularization * Math.pow((count + 1) / (mean + 1), exponent);
}

/** Y^T Y + reg I: shared by every row of a half-step. */
export function regularizedGram(fixed: Float32Array, fixedRows: number, params: AlsSolverParams): Float64Array {
  const k = params.factors;
  const yty = gram(fixed, fixedRows, k);
  for (let f = 0; f < k; f++) yty[f * k + f]! += params.regularization;
  return yty;
}

/** Updates rows [from, to) of `solved` in place; `matrix` rows are the solved side. */
export function solveRows(
  matrix: Pick<Csr, "indptr" | "indices" | "data">,
  solved: Float32Array,
  fixed: Float32Array,
  yty: Float64Array,
  params: AlsSolverParams,
  from: number,
  to: number,
): void {
  const k = params.factors;
  const { indptr, indices, data } = matrix;
  const alpha = params.alpha;
  const x = new Float64Array(k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const ap = new Float64Array(k);
  const rows = indptr.length - 1;
  const meanCount = rows > 0 ? indptr[rows]! / rows : 0;
  for (let u = from; u < to; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    const base = u * k;
    if (start === end) {
      solved.fill(0, base, base + k);
      continue;
    }
    // yty already holds reg on its diagonal; this row's own regularisation differs by extraReg.
    const extraReg = rowRegularization(params, end - start, meanCount) - params.regularization;
    for (let f = 0; f < k; f++) x[f] = solved[base + f]!;
    // r = b - A x
    gramTimes(yty, x, extraReg, k, r);
    for (let f = 0; f < k; f++) r[f] = -r[f]!;
    for (let e = start; e < end; e++) {
      const yBase = indices[e]! * k;
      const confidence = 1 + alpha * data[e]!;
      const coef = confidence - (confidence - 1) * rowDot(fixed, yBase, x, k);
      addScaledRow(r, coef, fixed, yBase, k);
    }
    let rsOld = 0;
    for (let f = 0; f < k; f++) {
      p[f] = r[f]!;
      rsOld += r[f]! * r[f]!;
    }
    for (let step = 0; step < params.cgSteps && rsOld > 1e-20; step++) {
      gramTimes(yty, p, extraReg, k, ap);
      for (let e = start; e < end; e++) {
        const yBase = indices[e]! * k;
        addScaledRow(ap, alpha * data[e]! * rowDot(fixed, yBase, p, k), fixed, yBase, k);
      }
      let pap = 0;
      for (let f = 0; f < k; f++) pap += p[f]! * ap[f]!;
      if (!(pap > 0)) break;
      const stepSize = rsOld / pap;
      let rsNew = 0;
      for (let f = 0; f < k; f++) {
        x[f]! += stepSize * p[f]!;
        r[f]! -= stepSize * ap[f]!;
        rsNew += r[f]! * r[f]!;
      }
      const beta = rsNew / rsOld;
      for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
      rsOld = rsNew;
    }
    for (let f = 0; f < k; f++) solved[base + f] = x[f]!;
  }
}

// The hot loops, written out four wide (independent partial sums let the CPU overlap
// the multiply-adds; V8 does not vectorise): ALS spends nearly all its time here.

/** out = (yty + diagonal I) v for a k x k matrix. */
function gramTimes(yty: Float64Array, v: Float64Array, diagonal: number, k: number, out: Float64Array): void {
  const wide = k & ~3;
  for (let a = 0; a < k; a++) {
    const row = a * k;
    let s0 = diagonal * v[a]!;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let b = 0;
    for (; b < wide; b += 4) {
      s0 += yty[row + b]! * v[b]!;
      s1 += yty[row + b + 1]! * v[b + 1]!;
      s2 += yty[row + b + 2]! * v[b + 2]!;
      s3 += yty[row + b + 3]! * v[b + 3]!;
    }
    for (; b < k; b++) s0 += yty[row + b]! * v[b]!;
    out[a] = s0 + s1 + s2 + s3;
  }
}

/** dot(matrix row at `base`, v). */
function rowDot(matrix: Float32Array, base: number, v: Float64Array, k: number): number {
  const wide = k & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let f = 0;
  for (; f < wide; f += 4) {
    s0 += matrix[base + f]! * v[f]!;
    s1 += matrix[base + f + 1]! * v[f + 1]!;
    s2 += matrix[base + f + 2]! * v[f + 2]!;
    s3 += matrix[base + f + 3]! * v[f + 3]!;
  }
  for (; f < k; f++) s0 += matrix[base + f]! * v[f]!;
  return s0 + s1 + s2 + s3;
}

/** out += scale * (matrix row at `base`). */
function addScaledRow(out: Float64Array, scale: number, matrix: Float32Array, base: number, k: number): void {
  const wide = k & ~3;
  let f = 0;
  for (; f < wide; f += 4) {
    out[f]! += scale * matrix[base + f]!;
    out[f + 1]! += scale * matrix[base + f + 1]!;
    out[f + 2]! += scale * matrix[base + f + 2]!;
    out[f + 3]! += scale * matrix[base + f + 3]!;
  }
  for (; f < k; f++) out[f]! += scale * matrix[base + f]!;
}
