import type { RatioMoments } from "./variant-sums.ts";

/** An estimate and the variance of the estimator. */
export interface Estimate {
  value: number;
  variance: number;
  /** Readers it rests on (the sequential intervals' "time"). */
  n: number;
}

const sampleCovariance = (n: number, sumAB: number, sumA: number, sumB: number) => (n > 1 ? (sumAB - (sumA * sumB) / n) / (n - 1) : 0);

/**
 * The reader-level linearisation of a ratio of sums (delta method): the metric
 * sum(num)/sum(den) moves with L = (num - R*den) / mean(den), whose variance
 * and covariance with the covariate follow from the sums alone.
 */
export interface Linearised {
  ratio: number;
  varianceL: number;
  covarianceLX: number;
  varianceX: number;
  meanX: number;
  n: number;
}

export function linearise(m: RatioMoments): Linearised | null {
  if (m.n < 2 || m.sumDen <= 0) return null;
  const ratio = m.sumNum / m.sumDen;
  const meanDen = m.sumDen / m.n;
  const varNum = sampleCovariance(m.n, m.sumNumNum, m.sumNum, m.sumNum);
  const varDen = sampleCovariance(m.n, m.sumDenDen, m.sumDen, m.sumDen);
  const covNumDen = sampleCovariance(m.n, m.sumNumDen, m.sumNum, m.sumDen);
  const covNumX = sampleCovariance(m.n, m.sumNumX, m.sumNum, m.sumX);
  const covDenX = sampleCovariance(m.n, m.sumDenX, m.sumDen, m.sumX);
  return {
    ratio,
    varianceL: Math.max(0, (varNum - 2 * ratio * covNumDen + ratio * ratio * varDen) / (meanDen * meanDen)),
    covarianceLX: (covNumX - ratio * covDenX) / meanDen,
    varianceX: sampleCovariance(m.n, m.sumXX, m.sumX, m.sumX),
    meanX: m.sumX / m.n,
    n: m.n,
  };
}

/** Plain delta-method estimate of a ratio metric. */
export function ratioEstimate(m: RatioMoments): Estimate | null {
  const l = linearise(m);
  return l && { value: l.ratio, variance: l.varianceL / l.n, n: l.n };
}

/**
 * CUPED (Deng et al. 2013) on the linearised metric: theta is pooled over all
 * variants, so every arm is adjusted towards the same overall covariate mean and
 * the adjustment cannot create a difference randomisation did not.
 */
export function cupedTheta(arms: readonly (Linearised | null)[]): number {
  let covariance = 0;
  let variance = 0;
  for (const arm of arms) {
    if (!arm) continue;
    covariance += (arm.n - 1) * arm.covarianceLX;
    variance += (arm.n - 1) * arm.varianceX;
  }
  return variance > 0 ? covariance / variance : 0;
}

export function cupedEstimate(arm: Linearised, theta: number, overallMeanX: number): Estimate {
  const variance = Math.max(0, arm.varianceL - 2 * theta * arm.covarianceLX + theta * theta * arm.varianceX);
  return { value: arm.ratio - theta * (arm.meanX - overallMeanX), variance: variance / arm.n, n: arm.n };
}
