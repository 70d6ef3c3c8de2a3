import type { Csr, InteractionMatrices } from "../data/csr.ts";
import { topK } from "../linalg/top-k.ts";
import type { Recommender } from "../models/recommender.ts";
import { averagePrecisionAt, hitRateAt, intraListDiversity, ndcgAt, novelty, precisionAt, recallAt } from "./metrics.ts";

export interface MetricSet {
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
  mapAt10: number;
  hitRateAt10: number;
  recallAt20: number;
  ndcgAt20: number;
  /** Share of the catalogue appearing in at least one top-10 list. */
  coverageAt10: number;
  /** Mean pairwise (1 - cosine) within top-10 lists: of content embeddings when the run has them, else of reader sets. */
  diversityAt10: number;
  /** Mean self-information (bits) of top-10 items. */
  noveltyAt10: number;
  /** Users evaluated. */
  users: number;
}

export const METRIC_LABELS: Record<keyof MetricSet, string> = {
  precisionAt10: "P@10",
  recallAt10: "R@10",
  ndcgAt10: "NDCG@10",
  mapAt10: "MAP@10",
  hitRateAt10: "HR@10",
  recallAt20: "R@20",
  ndcgAt20: "NDCG@20",
  coverageAt10: "Cov@10",
  diversityAt10: "ILD@10",
  noveltyAt10: "Nov@10",
  users: "users",
};

export interface EvaluationData {
  readonly train: InteractionMatrices;
  /** users x items held-out interactions; same shape as train. */
  readonly test: Csr;
  /**
   * Unit-length item vectors the diversity metric measures distance in (the content
   * embeddings); without them, cosine of reader sets, which is slower on popular items.
   */
  readonly diversitySpace?: { readonly vectors: Float32Array; readonly dimensions: number };
}

/**
 * Ranks the whole catalogue for every user with held-out items, the user's training
 * items excluded, and averages the metrics. `users` restricts to a sample (tuning).
 */
export function evaluateModel(model: Recommender, data: EvaluationData, users?: Int32Array): MetricSet {
  const { userItem, itemUser } = data.train;
  const test = data.test;
  const itemCount = userItem.cols;
  const evaluated = users ?? usersWithTestItems(test);
  const scores = new Float32Array(itemCount);
  const relevant = new Uint8Array(itemCount);
  const recommended = new Uint8Array(itemCount);
  const userShare = itemUserShare(itemUser, userItem.rows);
  const similarity = data.diversitySpace ? embeddingCosine(data.diversitySpace.vectors, data.diversitySpace.dimensions) : readerSetCosine(itemUser);
  const totals = { precisionAt10: 0, recallAt10: 0, ndcgAt10: 0, mapAt10: 0, hitRateAt10: 0, recallAt20: 0, ndcgAt20: 0, diversityAt10: 0, noveltyAt10: 0 };
  let count = 0;
  for (const user of evaluated) {
    const testFrom = test.indptr[user]!;
    const testTo = test.indptr[user + 1]!;
    const relevantCount = testTo - testFrom;
    if (relevantCount === 0) continue;
    model.scoreUser(user, userItem, scores);
    for (let e = userItem.indptr[user]!; e < userItem.indptr[user + 1]!; e++) scores[userItem.indices[e]!] = -Infinity;
    const ranked = topK(scores, 20);
    for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 1;
    const isRelevant = (item: number) => relevant[item] === 1;
    const top10 = ranked.subarray(0, 10);
    totals.precisionAt10 += precisionAt(ranked, 10, isRelevant);
    totals.recallAt10 += recallAt(ranked, 10, isRelevant, relevantCount);
    totals.ndcgAt10 += ndcgAt(ranked, 10, isRelevant, relevantCount);
    totals.mapAt10 += averagePrecisionAt(ranked, 10, isRelevant, relevantCount);
    totals.hitRateAt10 += hitRateAt(ranked, 10, isRelevant);
    totals.recallAt20 += recallAt(ranked, 20, isRelevant, relevantCount);
    totals.ndcgAt20 += ndcgAt(ranked, 20, isRelevant, relevantCount);
    totals.diversityAt10 += intraListDiversity(top10, similarity);
    totals.noveltyAt10 += novelty(top10, userShare);
    for (const item of top10) recommended[item] = 1;
    for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 0;
    count++;
  }
  let covered = 0;
  for (let i = 0; i < itemCount; i++) covered += recommended[i]!;
  const mean = (value: number) => (count === 0 ? 0 : value / count);
  return {
    precisionAt10: mean(totals.precisionAt10),
    recallAt10: mean(totals.recallAt10),
    ndcgAt10: mean(totals.ndcgAt10),
    mapAt10: mean(totals.mapAt10),
    hitRateAt10: mean(totals.hitRateAt10),
    recallAt20: mean(totals.recallAt20),
    ndcgAt20: mean(totals.ndcgAt20),
    coverageAt10: itemCount === 0 ? 0 : covered / itemCount,
    diversityAt10: mean(totals.diversityAt10),
    noveltyAt10: mean(totals.noveltyAt10),
    users: count,
  };
}

export function usersWithTestItems(test: Csr): Int32Array {
  const users: number[] = [];
  for (let u = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) users.push(u);
  return Int32Array.from(users);
}

/** Laplace-smoothed share of training users who have each item (unseen items stay finite). */
function itemUserShare(itemUser: Csr, userCount: number): (item: number) => number {
  return (item) => (itemUser.indptr[item + 1]! - itemUser.indptr[item]! + 1) / (userCount + 1);
}

function embeddingCosine(vectors: Float32Array, dimensions: number): (a: number, b: number) => number {
  return (a, b) => {
    let sum = 0;
    const baseA = a * dimensions;
    const baseB = b * dimensions;
    for (let f = 0; f < dimensions; f++) sum += vectors[baseA + f]! * vectors[baseB + f]!;
    return sum;
  };
}

/** Cosine of two items' (sorted) reader sets: a diversity yardstick every model is judged by alike. */
function readerSetCosine(itemUser: Csr): (a: number, b: number) => number {
  const { indptr, indices } = itemUser;
  return (a, b) => {
    let i = indptr[a]!;
    const iEnd = indptr[a + 1]!;
    let j = indptr[b]!;
    const jEnd = indptr[b + 1]!;
    const sizeA = iEnd - i;
    const sizeB = jEnd - j;
    if (sizeA === 0 || sizeB === 0) return 0;
    let common = 0;
    while (i < iEnd && j < jEnd) {
      const x = indices[i]!;
      const y = indices[j]!;
      if (x === y) {
        common++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return common / Math.sqrt(sizeA * sizeB);
  };
}
