/**
 * Turns raw taste scores into 1..5 stars through thresholds placed at quantiles of
 * the scores, so the star histogram has the shape of real book ratings (mostly
 * 3-5, mean ≈ 3.9) whatever the scale of the hidden model.
 */
export const STAR_SHARES = [0.025, 0.065, 0.22, 0.35, 0.34] as const;

export function starThresholds(scores: Float32Array, shares: readonly number[] = STAR_SHARES): number[] {
  if (scores.length === 0) return [0, 0, 0, 0];
  const sorted = Float32Array.from(scores).sort();
  const thresholds: number[] = [];
  let cumulative = 0;
  for (let star = 0; star < shares.length - 1; star++) {
    cumulative += shares[star]!;
    thresholds.push(sorted[Math.min(sorted.length - 1, Math.floor(cumulative * sorted.length))]!);
  }
  return thresholds;
}

export function toStars(score: number, thresholds: readonly number[]): number {
  let stars = 1;
  for (const threshold of thresholds) if (score >= threshold) stars++;
  return stars;
}
