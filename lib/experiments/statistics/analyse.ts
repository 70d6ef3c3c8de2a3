import { cupedEstimate, cupedTheta, linearise, ratioEstimate, type Estimate } from "./ratio-estimate.ts";
import { interval, relativeLift, type Interval, type IntervalOptions, type Lift } from "./lift.ts";
import { sampleRatioMismatch, type SampleRatioCheck } from "./sample-ratio.ts";
import { DEFAULT_SEQUENTIAL, type SequentialOptions } from "./sequential.ts";
import { combineSums, conversionMoments, ctrMoments, type RatioMoments, type VariantSums } from "./variant-sums.ts";

export type PrimaryMetric = "CTR" | "CONVERSION";

export interface VariantInput {
  key: string;
  weight: number;
  sums: VariantSums;
}

export interface AnalysisOptions {
  cuped: boolean;
  sequential: boolean;
  primaryMetric: PrimaryMetric;
  sequentialOptions: SequentialOptions;
}

export const DEFAULT_ANALYSIS: AnalysisOptions = { cuped: true, sequential: true, primaryMetric: "CTR", sequentialOptions: DEFAULT_SEQUENTIAL };

export interface VariantAnalysis {
  key: string;
  users: number;
  ctr: Interval | null;
  conversion: Interval | null;
  /** Lift of the primary metric over the control (null for the control itself). */
  lift: Lift | null;
  /** Lift of the other metric, a guardrail. */
  guardrailLift: Lift | null;
}

export interface Analysis {
  variants: VariantAnalysis[];
  sampleRatioMismatch: SampleRatioCheck;
  cupedApplied: boolean;
}

/** Every arm's estimate of one metric, CUPED-adjusted with a theta pooled across the arms when asked. */
function estimates(variants: readonly VariantInput[], moments: (sums: VariantSums) => RatioMoments, cuped: boolean): (Estimate | null)[] {
  if (!cuped) return variants.map((variant) => ratioEstimate(moments(variant.sums)));
  const arms = variants.map((variant) => linearise(moments(variant.sums)));
  const theta = cupedTheta(arms);
  const all = combineSums(variants.map((variant) => variant.sums));
  const overallMeanX = all.n > 0 ? all.sumX / all.n : 0;
  return arms.map((arm) => arm && cupedEstimate(arm, theta, overallMeanX));
}

/**
 * The results of an experiment from its per-variant sums. The first variant is
 * the control every other one is compared with.
 */
export function analyse(variants: readonly VariantInput[], options: AnalysisOptions = DEFAULT_ANALYSIS): Analysis {
  const intervalOptions: IntervalOptions = { sequential: options.sequential, sequentialOptions: options.sequentialOptions };
  const ctr = estimates(variants, ctrMoments, options.cuped);
  const conversion = estimates(variants, conversionMoments, options.cuped);
  const [primary, guardrail] = options.primaryMetric === "CTR" ? [ctr, conversion] : [conversion, ctr];
  const liftOf = (metric: (Estimate | null)[], i: number) =>
    i === 0 || !metric[i] || !metric[0] ? null : relativeLift(metric[i]!, metric[0]!, intervalOptions);
  return {
    variants: variants.map((variant, i) => ({
      key: variant.key,
      users: variant.sums.n,
      ctr: ctr[i] ? interval(ctr[i]!, intervalOptions) : null,
      conversion: conversion[i] ? interval(conversion[i]!, intervalOptions) : null,
      lift: liftOf(primary, i),
      guardrailLift: liftOf(guardrail, i),
    })),
    sampleRatioMismatch: sampleRatioMismatch(
      variants.map((variant) => variant.sums.n),
      variants.map((variant) => variant.weight),
    ),
    cupedApplied: options.cuped,
  };
}
