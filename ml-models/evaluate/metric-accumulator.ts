import type { Csr } from "../data/csr.ts";
import { topK } from "../linalg/top-k.ts";
import { averagePrecisionAt, hitRateAt, intraListDiversity, ndcgAt, novelty, precisionAt, recallAt } from "./metrics.ts";
import type { MetricSet } from "./evaluate.ts";

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

/** Laplace-smoothed share of training users who have each item (unseen items stay finite). */
export function itemUserShare(itemUser: Csr, userCount: number): (item: number) => number {
  return (item) => (itemUser.indptr[item + 1]! - itemUser.indptr[item]! + 1) / (userCount + 1);
}

export function embeddingCosine(vectors: Float32Array, dimensions: number): (a: number, b: number) => number {
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
export function readerSetCosine(itemUser: Csr): (a: number, b: number) => number {
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
