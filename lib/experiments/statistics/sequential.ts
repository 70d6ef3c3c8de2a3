/**
 * Always-valid inference with the normal-mixture sequential probability ratio
 * test (Robbins; Howard et al. 2021, "Time-uniform, nonparametric, nonasymptotic
 * confidence sequences"), as GrowthBook and Eppo use it: intervals and p-values
 * that stay valid however often the results are looked at.
 *
 * With n readers and an estimator of variance v, the two-sided confidence
 * sequence is estimate ± sqrt(v * (n + r) / n * ln((n + r) / (r * alpha^2))),
 * where r is the mixing parameter, tuned so the interval is tightest at
 * `tuningReaders` readers.
 */
export interface SequentialOptions {
  alpha: number;
  tuningReaders: number;
}

export const DEFAULT_SEQUENTIAL: SequentialOptions = { alpha: 0.05, tuningReaders: 5000 };

/** Howard et al. eq. (161): the mixing parameter that minimises the width at `readers`. */
export function mixingParameter({ alpha, tuningReaders }: SequentialOptions): number {
  const l = -2 * Math.log(alpha);
  return tuningReaders / (l + Math.log(l + 1));
}

/** The multiplier of the standard error at n readers (the fixed-horizon analogue is 1.96). */
export function sequentialMultiplier(n: number, options: SequentialOptions = DEFAULT_SEQUENTIAL): number {
  if (!(n > 0)) return Infinity;
  const r = mixingParameter(options);
  return Math.sqrt(((n + r) / n) * Math.log((n + r) / (r * options.alpha * options.alpha)));
}

/** Always-valid p-value: 1 / the mixture likelihood ratio of z = estimate / standard error at n readers. */
export function sequentialPValue(z: number, n: number, options: SequentialOptions = DEFAULT_SEQUENTIAL): number {
  if (Number.isNaN(z) || !(n > 0)) return 1;
  if (!Number.isFinite(z)) return 0;
  const r = mixingParameter(options);
  const logRatio = 0.5 * Math.log(r / (n + r)) + (z * z * n) / (2 * (n + r));
  return Math.min(1, Math.exp(-logRatio));
}
