/**
 * Per-variant sufficient statistics over readers, so results over millions of
 * events need only one row per variant from the database. Per reader: y clicks,
 * d impressions, b 1 if they converted (added to a shelf or bought), x their
 * pre-experiment activity (the CUPED covariate).
 */
export interface VariantSums {
  /** Readers assigned. */
  n: number;
  sumY: number;
  sumD: number;
  sumB: number;
  sumX: number;
  sumYY: number;
  sumDD: number;
  sumYD: number;
  sumXX: number;
  sumYX: number;
  sumDX: number;
  sumBX: number;
}

export interface ReaderOutcome {
  clicks: number;
  impressions: number;
  converted: boolean;
  preActivity: number;
}

export const emptySums = (): VariantSums => ({ n: 0, sumY: 0, sumD: 0, sumB: 0, sumX: 0, sumYY: 0, sumDD: 0, sumYD: 0, sumXX: 0, sumYX: 0, sumDX: 0, sumBX: 0 });

/** Adds one reader (the same sums the results query computes in SQL). */
export function addReader(sums: VariantSums, reader: ReaderOutcome): VariantSums {
  const y = reader.clicks;
  const d = reader.impressions;
  const b = reader.converted ? 1 : 0;
  const x = reader.preActivity;
  sums.n += 1;
  sums.sumY += y;
  sums.sumD += d;
  sums.sumB += b;
  sums.sumX += x;
  sums.sumYY += y * y;
  sums.sumDD += d * d;
  sums.sumYD += y * d;
  sums.sumXX += x * x;
  sums.sumYX += y * x;
  sums.sumDX += d * x;
  sums.sumBX += b * x;
  return sums;
}

export function combineSums(all: readonly VariantSums[]): VariantSums {
  const total = emptySums();
  for (const sums of all) for (const key of Object.keys(total) as (keyof VariantSums)[]) total[key] += sums[key];
  return total;
}

/**
 * The moments of one per-reader metric num/den as a ratio of sums (den = 1 per
 * reader gives a plain mean, e.g. the conversion rate).
 */
export interface RatioMoments {
  n: number;
  sumNum: number;
  sumDen: number;
  sumNumNum: number;
  sumDenDen: number;
  sumNumDen: number;
  sumX: number;
  sumXX: number;
  sumNumX: number;
  sumDenX: number;
}

export const ctrMoments = (s: VariantSums): RatioMoments => ({
  n: s.n,
  sumNum: s.sumY,
  sumDen: s.sumD,
  sumNumNum: s.sumYY,
  sumDenDen: s.sumDD,
  sumNumDen: s.sumYD,
  sumX: s.sumX,
  sumXX: s.sumXX,
  sumNumX: s.sumYX,
  sumDenX: s.sumDX,
});

/** Share of readers who converted: b is 0 or 1, so b*b = b. */
export const conversionMoments = (s: VariantSums): RatioMoments => ({
  n: s.n,
  sumNum: s.sumB,
  sumDen: s.n,
  sumNumNum: s.sumB,
  sumDenDen: s.n,
  sumNumDen: s.sumB,
  sumX: s.sumX,
  sumXX: s.sumXX,
  sumNumX: s.sumBX,
  sumDenX: s.sumX,
});
