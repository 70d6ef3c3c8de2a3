import type { Csr, InteractionMatrices } from "../data/csr.ts";
import { topK } from "../linalg/top-k.ts";
import { HybridModel } from "../models/hybrid.ts";
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
  return evaluateModels([model], data, users).get(model)!;
}

/**
 * Evaluates several models in one pass over the users. A hybrid whose components
 * are among `models` blends the scores already computed for them instead of
 * scoring every component again, which halves the cost of evaluating a run.
 */
export function evaluateModels(models: readonly Recommender[], data: EvaluationData, users?: Int32Array): Map<Recommender, MetricSet> {
  const accumulators = accumulateMetrics(models, data, users ?? usersWithTestItems(data.test));
  return new Map(models.map((model, m) => [model, accumulators[m]!.result()]));
}

/** Users scored together by models with `scoreUsers`. */
const USER_BLOCK = 16;

/** The per-model sums over `users`, unaveraged: parts computed on several threads merge exactly. */
export function accumulateMetrics(models: readonly Recommender[], data: EvaluationData, users: Int32Array): MetricAccumulator[] {
  const { userItem, itemUser } = data.train;
  const itemCount = userItem.cols;
  const userShare = itemUserShare(itemUser, userItem.rows);
  const similarity = data.diversitySpace ? embeddingCosine(data.diversitySpace.vectors, data.diversitySpace.dimensions) : readerSetCosine(itemUser);
  const accumulators = models.map(() => new MetricAccumulator(itemCount, userShare, similarity));
  // One buffer per model and user of a block: models that score users together (dense factors) do so.
  const buffers = models.map(() => Array.from({ length: USER_BLOCK }, () => new Float32Array(itemCount)));
  const blends = models.map((model) => {
    if (!(model instanceof HybridModel)) return null;
    const sources = model.components.map((c) => models.indexOf(c.model));
    return sources.every((s) => s >= 0) ? sources : null;
  });
  const relevant = new Uint8Array(itemCount);
  const test = data.test;
  const evaluated = users.filter((user) => test.indptr[user + 1]! > test.indptr[user]!);
  for (let from = 0; from < evaluated.length; from += USER_BLOCK) {
    const block = evaluated.subarray(from, Math.min(from + USER_BLOCK, evaluated.length));
    // Components first (raw scores, before exclusion), then the blends that reuse them.
    models.forEach((model, m) => {
      if (blends[m]) return;
      if (model.scoreUsers) model.scoreUsers(block, userItem, buffers[m]!);
      else block.forEach((user, n) => model.scoreUser(user, userItem, buffers[m]![n]!));
    });
    block.forEach((user, n) => {
      const testFrom = test.indptr[user]!;
      const testTo = test.indptr[user + 1]!;
      for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 1;
      models.forEach((model, m) => {
        const sources = blends[m];
        if (sources) (model as HybridModel).blend(sources.map((s) => buffers[s]![n]!), buffers[m]![n]!);
      });
      // Blends are computed, so the buffers can be masked in place.
      models.forEach((_model, m) => {
        const scores = buffers[m]![n]!;
        for (let e = userItem.indptr[user]!; e < userItem.indptr[user + 1]!; e++) scores[userItem.indices[e]!] = -Infinity;
        accumulators[m]!.add(scores, relevant, testTo - testFrom);
      });
      for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 0;
    });
  }
  return accumulators;
}

/** What a thread sends back: one model's sums, the users counted and the items recommended. */
export interface AccumulatorState {
  readonly totals: Record<string, number>;
  readonly count: number;
  readonly recommended: Uint8Array;
}

/** Sums one model's per-user metrics; `result` averages them. */
export class MetricAccumulator {
  private readonly totals = { precisionAt10: 0, recallAt10: 0, ndcgAt10: 0, mapAt10: 0, hitRateAt10: 0, recallAt20: 0, ndcgAt20: 0, diversityAt10: 0, noveltyAt10: 0 };
  private readonly recommended: Uint8Array;
  private count = 0;

  state(): AccumulatorState {
    return { totals: { ...this.totals }, count: this.count, recommended: this.recommended };
  }

  merge(other: AccumulatorState): void {
    for (const key of Object.keys(this.totals) as (keyof typeof this.totals)[]) this.totals[key] += other.totals[key] ?? 0;
    this.count += other.count;
    for (let i = 0; i < this.itemCount; i++) this.recommended[i]! |= other.recommended[i]!;
  }

  constructor(
    private readonly itemCount: number,
    private readonly userShare: (item: number) => number,
    private readonly similarity: (a: number, b: number) => number,
  ) {
    this.recommended = new Uint8Array(itemCount);
  }

  /** `scores` with training items already at -Infinity; `relevant` marks the user's test items. */
  add(scores: Float32Array, relevant: Uint8Array, relevantCount: number): void {
    const ranked = topK(scores, 20);
    const isRelevant = (item: number) => relevant[item] === 1;
    const top10 = ranked.subarray(0, 10);
    const t = this.totals;
    t.precisionAt10 += precisionAt(ranked, 10, isRelevant);
    t.recallAt10 += recallAt(ranked, 10, isRelevant, relevantCount);
    t.ndcgAt10 += ndcgAt(ranked, 10, isRelevant, relevantCount);
    t.mapAt10 += averagePrecisionAt(ranked, 10, isRelevant, relevantCount);
    t.hitRateAt10 += hitRateAt(ranked, 10, isRelevant);
    t.recallAt20 += recallAt(ranked, 20, isRelevant, relevantCount);
    t.ndcgAt20 += ndcgAt(ranked, 20, isRelevant, relevantCount);
    t.diversityAt10 += intraListDiversity(top10, this.similarity);
    t.noveltyAt10 += novelty(top10, this.userShare);
    for (const item of top10) this.recommended[item] = 1;
    this.count++;
  }

  result(): MetricSet {
    let covered = 0;
    for (let i = 0; i < this.itemCount; i++) covered += this.recommended[i]!;
    const mean = (value: number) => (this.count === 0 ? 0 : value / this.count);
    const t = this.totals;
    return {
      precisionAt10: mean(t.precisionAt10),
      recallAt10: mean(t.recallAt10),
      ndcgAt10: mean(t.ndcgAt10),
      mapAt10: mean(t.mapAt10),
      hitRateAt10: mean(t.hitRateAt10),
      recallAt20: mean(t.recallAt20),
      ndcgAt20: mean(t.ndcgAt20),
      coverageAt10: this.itemCount === 0 ? 0 : covered / this.itemCount,
      diversityAt10: mean(t.diversityAt10),
      noveltyAt10: mean(t.noveltyAt10),
      users: this.count,
    };
  }
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

/** Pairs remembered by the reader-set cosine before its cache starts over (bounds memory at ~100 MB). */
const COSINE_CACHE_PAIRS = 2_000_000;

/**
 * Cosine of two items' (sorted) reader sets: a diversity yardstick every model is
 * judged by alike. Each pair is merged once and remembered: top-10 lists share their
 * popular pairs across readers, and the merge of two best-sellers' reader lists was
 * half of a 70,000-reader evaluation's time.
 */
function readerSetCosine(itemUser: Csr): (a: number, b: number) => number {
  const { indptr, indices } = itemUser;
  const items = itemUser.rows;
  let cache = new Map<number, number>();
  return (a, b) => {
    const key = a < b ? a * items + b : b * items + a;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let i = indptr[a]!;
    const iEnd = indptr[a + 1]!;
    let j = indptr[b]!;
    const jEnd = indptr[b + 1]!;
    const sizeA = iEnd - i;
    const sizeB = jEnd - j;
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
    const cosine = sizeA === 0 || sizeB === 0 ? 0 : common / Math.sqrt(sizeA * sizeB);
    if (cache.size >= COSINE_CACHE_PAIRS) cache = new Map();
    cache.set(key, cosine);
    return cosine;
  };
}
