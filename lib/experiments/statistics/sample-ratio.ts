import { chiSquaredSurvival } from "./distributions.ts";

/** A sample-ratio mismatch is flagged below this p-value (the industry's usual threshold). */
export const SRM_THRESHOLD = 0.001;

export interface SampleRatioCheck {
  pValue: number;
  flagged: boolean;
}

/**
 * Pearson's chi-squared goodness of fit of the readers each variant got against
 * the shares its weight promised: a low p-value means assignment or logging is
 * broken and no other result of the experiment can be trusted.
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[]): SampleRatioCheck {
  const total = observed.reduce((sum, n) => sum + n, 0);
  const weightTotal = weights.reduce((sum, w) => sum + w, 0);
  if (observed.length < 2 || total === 0 || weightTotal <= 0) return { pValue: 1, flagged: false };
  let statistic = 0;
  observed.forEach((count, i) => {
    const expected = (total * weights[i]!) / weightTotal;
    if (expected > 0) statistic += ((count - expected) * (count - expected)) / expected;
  });
  const pValue = chiSquaredSurvival(statistic, observed.length - 1);
  return { pValue, flagged: pValue < SRM_THRESHOLD };
}
