import { bucketOf, HASH_BUCKETS } from "./hashing.ts";

/**
 * The pure rules of assignment. Each decision hashes the reader with its own
 * seed, so growing traffic admits new readers without reshuffling variants, and
 * the holdout is the same readers for every experiment.
 */

const HOLDOUT_SEED = "shelfgraph-global-holdout:";

export const inHoldout = (userId: number, holdoutPercent: number): boolean => bucketOf(HOLDOUT_SEED, userId) < holdoutPercent * (HASH_BUCKETS / 100);

export const inTraffic = (experimentKey: string, userId: number, trafficPercent: number): boolean =>
  bucketOf(`${experimentKey}:traffic:`, userId) < trafficPercent * (HASH_BUCKETS / 100);

/** The index of the variant a reader falls in, each variant owning a share of the buckets proportional to its weight. */
export function variantIndex(experimentKey: string, userId: number, weights: readonly number[]): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (weights.length === 0 || !(total > 0)) throw new RangeError("an experiment needs variants with positive weights");
  const bucket = bucketOf(`${experimentKey}:variant:`, userId);
  let upper = 0;
  for (let i = 0; i < weights.length; i++) {
    upper += (weights[i]! / total) * HASH_BUCKETS;
    if (bucket < upper) return i;
  }
  return weights.length - 1;
}
