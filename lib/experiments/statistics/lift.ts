import { normalQuantile, twoSidedP } from "./distributions.ts";
import type { Estimate } from "./ratio-estimate.ts";
import { sequentialMultiplier, sequentialPValue, type SequentialOptions } from "./sequential.ts";

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface IntervalOptions {
  /** Always-valid (sequential) intervals and p-values; otherwise fixed-horizon ones. */
  sequential: boolean;
  sequentialOptions: SequentialOptions;
}

export function interval(estimate: Estimate, options: IntervalOptions): Interval {
  const multiplier = options.sequential
    ? sequentialMultiplier(estimate.n, options.sequentialOptions)
    : normalQuantile(1 - options.sequentialOptions.alpha / 2);
  const halfWidth = multiplier * Math.sqrt(estimate.variance);
  return { value: estimate.value, low: estimate.value - halfWidth, high: estimate.value + halfWidth };
}

export interface Lift extends Interval {
  pValue: number;
}

/**
 * Relative lift (treatment / control - 1) with its delta-method interval, and
 * the p-value of "no difference" on the absolute difference.
 */
export function relativeLift(treatment: Estimate, control: Estimate, options: IntervalOptions): Lift | null {
  if (!(control.value > 0)) return null;
  const lift = treatment.value / control.value - 1;
  const variance = treatment.variance / control.value ** 2 + (treatment.value ** 2 * control.variance) / control.value ** 4;
  const n = treatment.n + control.n;
  const bounds = interval({ value: lift, variance, n }, options);
  const differenceVariance = treatment.variance + control.variance;
  const z = differenceVariance > 0 ? (treatment.value - control.value) / Math.sqrt(differenceVariance) : treatment.value === control.value ? 0 : Infinity;
  const pValue = options.sequential ? sequentialPValue(z, n, options.sequentialOptions) : twoSidedP(z);
  return { ...bounds, pValue };
}
