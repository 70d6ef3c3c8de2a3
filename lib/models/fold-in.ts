import type { ReaderHistory } from "./user-history.ts";

/** What the fold-in solve needs of a trained ALS model: the item factors, Y^T Y and the training's constants. */
export interface AlsState {
  readonly factors: number;
  readonly regularization: number;
  readonly alpha: number;
  /** Confidence of each older history entry relative to the next newer one (1 or absent = all alike). */
  readonly recencyDecay?: number;
  /** Frequency-scaled regularisation: reg * ((n + 1) / (meanUserInteractions + 1))^exponent for a reader with n books. */
  readonly regularizationExponent?: number;
  readonly meanUserInteractions?: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  /** Y^T Y (k x k, float64), shared by every one-user solve. */
  readonly gram: Float64Array;
}

/** Y^T Y of `count` rows of k factors. */
export function gramOf(rows: Float32Array, count: number, k: number): Float64Array {
  const gram = new Float64Array(k * k);
  for (let r = 0; r < count; r++) {
    const base = r * k;
    for (let a = 0; a < k; a++) {
      const va = rows[base + a]!;
      if (va === 0) continue;
      for (let b = a; b < k; b++) gram[a * k + b]! += va * rows[base + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) gram[a * k + b] = gram[b * k + a]!;
  return gram;
}

const numberParam = (hyperparameters: Record<string, unknown>, key: string, fallback: number): number => {
  const value = hyperparameters[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
};

/** An ALS version's fold-in state: its item factors (`dims` [items, k]) and Y^T Y, and the constants its training recorded. */
export function alsStateOf(hyperparameters: Record<string, unknown>, items: { data: Float32Array; dims: number[] }, userFactors: Float32Array): AlsState {
  const k = items.dims[1]!;
  return {
    factors: k,
    regularization: numberParam(hyperparameters, "regularization", 1),
    alpha: numberParam(hyperparameters, "alpha", 1),
    recencyDecay: numberParam(hyperparameters, "recencyDecay", 1),
    regularizationExponent: numberParam(hyperparameters, "regularizationExponent", 0),
    meanUserInteractions: numberParam(hyperparameters, "meanUserInteractions", 0),
    userFactors,
    itemFactors: items.data,
    gram: gramOf(items.data, items.dims[0]!, k),
  };
}


/**
 * The ALS least-squares step for one user against fixed item factors Y:
 *   (Y^T Y + Y^T (C_u - I) Y + reg I) x = Y^T C_u p_u,  c_ui = 1 + alpha * r_ui,
 * the same system the trainer solves per user, solved exactly (Cholesky) because
 * it is one k x k system. Lets a reader's new rating move their vector at once.
 */
export function foldInUser(als: AlsState, history: readonly { item: number; strength: number }[]): Float32Array {
  const k = als.factors;
  const a = Float64Array.from(als.gram);
  const b = new Float64Array(k);
  // The trainer's per-row regularisation (ml-models/models/als-solver.ts rowRegularization) for this reader's row length.
  const exponent = als.regularizationExponent ?? 0;
  const regularization = exponent === 0 ? als.regularization : als.regularization * Math.pow((history.length + 1) / ((als.meanUserInteractions ?? 0) + 1), exponent);
  for (let f = 0; f < k; f++) a[f * k + f]! += regularization;
  for (const { item, strength } of history) {
    const base = item * k;
    const confidence = 1 + als.alpha * strength;
    for (let i = 0; i < k; i++) {
      const yi = als.itemFactors[base + i]!;
      b[i]! += confidence * yi;
      const weighted = (confidence - 1) * yi;
      for (let j = 0; j < k; j++) a[i * k + j]! += weighted * als.itemFactors[base + j]!;
    }
  }
  return Float32Array.from(choleskySolve(a, b, k));
}

/**
 * A reader's history (newest first, as readHistory gives it) as fold-in input: the
 * books the model knows, at the trainer's strengths, each older one discounted by
 * the model's recency decay as its training confidences were.
 */
export function indexHistory(
  als: Pick<AlsState, "recencyDecay">,
  itemIndex: ReadonlyMap<number, number>,
  history: Pick<ReaderHistory, "bookIds" | "strengths">,
): { item: number; strength: number }[] {
  const decay = als.recencyDecay ?? 1;
  let weight = 1;
  const indexed: { item: number; strength: number }[] = [];
  for (let i = 0; i < history.bookIds.length; i++) {
    const item = itemIndex.get(history.bookIds[i]!);
    if (item === undefined) continue;
    indexed.push({ item, strength: history.strengths[i]! * weight });
    weight *= decay;
  }
  return indexed;
}

/** Solves A x = b for symmetric positive definite A (k x k, row-major); A is overwritten. */
export function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let j = 0; j < k; j++) {
    let diagonal = a[j * k + j]!;
    for (let p = 0; p < j; p++) diagonal -= a[j * k + p]! * a[j * k + p]!;
    if (!(diagonal > 0)) throw new Error("fold-in system is not positive definite");
    const l = Math.sqrt(diagonal);
    a[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let sum = a[i * k + j]!;
      for (let p = 0; p < j; p++) sum -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = sum / l;
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = b[i]!;
    for (let p = 0; p < i; p++) sum -= a[i * k + p]! * y[p]!;
    y[i] = sum / a[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let p = i + 1; p < k; p++) sum -= a[p * k + i]! * x[p]!;
    x[i] = sum / a[i * k + i]!;
  }
  return x;
}
