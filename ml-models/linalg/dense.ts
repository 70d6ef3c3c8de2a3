/** Small dense kernels on row-major typed arrays; written out because they are the hot loops. */

/** A^T A for a rows x k row-major matrix, as a k x k Float64Array. */
export function gram(matrix: Float32Array, rows: number, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let a = 0; a < k; a++) {
      const va = matrix[base + a]!;
      if (va === 0) continue;
      const rowOut = a * k;
      // Upper triangle, four wide (the ALS half-steps' Gram matrices are this loop).
      let b = a;
      for (; b + 3 < k; b += 4) {
        out[rowOut + b]! += va * matrix[base + b]!;
        out[rowOut + b + 1]! += va * matrix[base + b + 1]!;
        out[rowOut + b + 2]! += va * matrix[base + b + 2]!;
        out[rowOut + b + 3]! += va * matrix[base + b + 3]!;
      }
      for (; b < k; b++) out[rowOut + b]! += va * matrix[base + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) out[a * k + b] = out[b * k + a]!;
  return out;
}

/** out = M x for a k x k matrix. */
export function symmetricMatVec(m: Float64Array, x: Float64Array, k: number, out: Float64Array): void {
  for (let a = 0; a < k; a++) {
    let sum = 0;
    const row = a * k;
    for (let b = 0; b < k; b++) sum += m[row + b]! * x[b]!;
    out[a] = sum;
  }
}

/** scores[j] = dot(vector, matrix row j) for every row. */
export function scoreAllRows(matrix: Float32Array, rows: number, k: number, vector: Float32Array | Float64Array, out: Float32Array): void {
  for (let j = 0; j < rows; j++) {
    let sum = 0;
    const base = j * k;
    for (let f = 0; f < k; f++) sum += matrix[base + f]! * vector[f]!;
    out[j] = sum;
  }
}

/**
 * out[n][j] = dot(vectors row n, matrix row j) for up to four vectors at once: each
 * matrix row is read once for the block and the four sums run side by side, ~2x the
 * throughput of four `scoreAllRows` calls (evaluation ranks 25,000 items per reader).
 */
export function scoreAllRowsBlock(matrix: Float32Array, rows: number, k: number, vectors: Float32Array, count: number, out: readonly Float32Array[]): void {
  if (count > 4) throw new Error("scoreAllRowsBlock scores at most four vectors at a time");
  // Missing vectors repeat the first, so the loop has no branches; their sums are dropped.
  const base1 = (count > 1 ? 1 : 0) * k;
  const base2 = (count > 2 ? 2 : 0) * k;
  const base3 = (count > 3 ? 3 : 0) * k;
  const out0 = out[0]!;
  const out1 = out[count > 1 ? 1 : 0]!;
  const out2 = out[count > 2 ? 2 : 0]!;
  const out3 = out[count > 3 ? 3 : 0]!;
  for (let j = 0; j < rows; j++) {
    const base = j * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let f = 0; f < k; f++) {
      const m = matrix[base + f]!;
      s0 += m * vectors[f]!;
      s1 += m * vectors[base1 + f]!;
      s2 += m * vectors[base2 + f]!;
      s3 += m * vectors[base3 + f]!;
    }
    out3[j] = s3;
    out2[j] = s2;
    out1[j] = s1;
    out0[j] = s0;
  }
}

export function normalizeRows(matrix: Float32Array, rows: number, k: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let norm = 0;
    for (let f = 0; f < k; f++) norm += matrix[base + f]! * matrix[base + f]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let f = 0; f < k; f++) matrix[base + f]! *= scale;
  }
}
