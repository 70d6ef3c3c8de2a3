/**
 * Ranking metrics for one user's list. `ranked` is best first; `isRelevant(item)`
 * says whether the item is in the user's held-out set of size `relevantCount`.
 * Definitions follow the usual top-N conventions (binary relevance, log2 discount,
 * IDCG and the MAP normaliser capped at k).
 */
export type Relevance = (item: number) => boolean;

export function hitsAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (isRelevant(ranked[r]!)) hits++;
  return hits;
}

export function precisionAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance): number {
  return hitsAt(ranked, k, isRelevant) / k;
}

export function recallAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance, relevantCount: number): number {
  return relevantCount === 0 ? 0 : hitsAt(ranked, k, isRelevant) / relevantCount;
}

export function hitRateAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance): number {
  return hitsAt(ranked, k, isRelevant) > 0 ? 1 : 0;
}

export function ndcgAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance, relevantCount: number): number {
  if (relevantCount === 0) return 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (isRelevant(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevantCount); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

/** Average precision at k, normalised by min(k, relevantCount). */
export function averagePrecisionAt(ranked: ArrayLike<number>, k: number, isRelevant: Relevance, relevantCount: number): number {
  if (relevantCount === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) {
    if (!isRelevant(ranked[r]!)) continue;
    hits++;
    sum += hits / (r + 1);
  }
  return sum / Math.min(k, relevantCount);
}

/** Mean pairwise dissimilarity (1 - similarity) of a list; 0 for lists shorter than 2. */
export function intraListDiversity(ranked: ArrayLike<number>, similarity: (a: number, b: number) => number): number {
  const n = ranked.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) sum += 1 - similarity(ranked[a]!, ranked[b]!);
  return sum / ((n * (n - 1)) / 2);
}

/** Mean self-information -log2(p(item)) of the list, p = share of training users who have the item. */
export function novelty(ranked: ArrayLike<number>, itemUserShare: (item: number) => number): number {
  const n = ranked.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += -Math.log2(itemUserShare(ranked[r]!));
  return sum / n;
}
