import { AliasTable } from "./alias-table.ts";
import type { HiddenModel } from "./dataset.ts";
import { dot } from "./latent-model.ts";
import type { Random } from "./random.ts";

const DAY_MS = 86_400_000;
export const RATING_WINDOW_MS = 2 * 365 * DAY_MS;

export interface RatingSamplerSettings {
  /** Mean ratings per reader before the catalogue-size cap. */
  readonly meanRatingsPerUser: number;
  /** Spread of the log-normal activity distribution: a few readers rate hundreds of books. */
  readonly activitySigma: number;
  /** Nobody rates more than this share of the catalogue. */
  readonly maxCatalogueShare: number;
  /** α in P(book) ∝ popularity^α · exp(β · affinity). */
  readonly popularityAlpha: number;
  /** β: how strongly taste steers which books a reader picks up. */
  readonly affinityBeta: number;
  /** Candidates drawn by popularity per book finally chosen; more means taste matters more. */
  readonly candidateFactor: number;
  /** Books a reader considered but did not rate (shelved, viewed, started), per rating. */
  readonly consideredPerRating: number;
}

export const DEFAULT_SAMPLER_SETTINGS: RatingSamplerSettings = {
  meanRatingsPerUser: 60,
  activitySigma: 1,
  maxCatalogueShare: 0.25,
  popularityAlpha: 1,
  affinityBeta: 1.5,
  candidateFactor: 3,
  consideredPerRating: 0.12,
};

/** Who rated what, with a raw score and a time per rating; stars are cut from the scores afterwards. */
export interface SampledRatings {
  readonly count: number;
  readonly userIndex: Int32Array;
  readonly bookIndex: Int32Array;
  readonly score: Float32Array;
  readonly createdAt: Float64Array;
  /** Ratings of user u are rows userOffsets[u] .. userOffsets[u + 1] - 1. */
  readonly userOffsets: Int32Array;
  /** Books user u considered but did not rate: considered[consideredOffsets[u] .. consideredOffsets[u + 1] - 1]. */
  readonly considered: Int32Array;
  readonly consideredOffsets: Int32Array;
  /** Start of each user's active period (registration, or the start of the rating window). */
  readonly activeFrom: Float64Array;
}

export interface SamplerInput {
  readonly model: Omit<HiddenModel, "starThresholds">;
  readonly registeredAt: Float64Array;
  readonly publicationYear: Int16Array;
  readonly referenceTime: number;
}

/**
 * Each reader rates a heavy-tailed number of books, sampled without replacement
 * with probability ∝ popularity^α · exp(β·affinity) by the Gumbel-top-k trick.
 * For light readers of a big catalogue, scoring every book would cost
 * users × books dot products, so candidates are first drawn by popularity^α and
 * only they are scored (importance resampling); near-exhaustive readers and small
 * catalogues are scored exactly.
 */
export function sampleRatings(random: Random, input: SamplerInput, settings: RatingSamplerSettings = DEFAULT_SAMPLER_SETTINGS): SampledRatings {
  const { model, referenceTime } = input;
  const k = model.factors;
  const userCount = input.registeredAt.length;
  const bookCount = input.publicationYear.length;
  const windowStart = referenceTime - RATING_WINDOW_MS;

  const activeFrom = Float64Array.from(input.registeredAt, (registered) => Math.max(registered, windowStart));
  const wanted = wantedRatingCounts(random, activeFrom, referenceTime, bookCount, settings);
  const consideredWanted = Int32Array.from(wanted, (n) => random.roundStochastic(n * settings.consideredPerRating));
  const capacity = wanted.reduce((sum, n) => sum + n, 0);
  const consideredCapacity = consideredWanted.reduce((sum, n) => sum + n, 0);

  const userIndex = new Int32Array(capacity);
  const bookIndex = new Int32Array(capacity);
  const score = new Float32Array(capacity);
  const createdAt = new Float64Array(capacity);
  const userOffsets = new Int32Array(userCount + 1);
  const considered = new Int32Array(consideredCapacity);
  const consideredOffsets = new Int32Array(userCount + 1);

  const popularityWeights = Float64Array.from(model.popularity, (p) => Math.pow(p, settings.popularityAlpha));
  const byPopularity = new AliasTable(popularityWeights);
  const publishedAt = Float64Array.from(input.publicationYear, (year) => Date.UTC(year, 0, 1));
  const seenBy = new Int32Array(bookCount).fill(-1);
  const logPopularity = Float64Array.from(popularityWeights, Math.log);
  const candidates = new Int32Array(bookCount);
  const keys = new Float64Array(bookCount);
  const affinityOf = (user: number, book: number) => dot(model.userFactors, user * k, model.itemFactors, book * k, k) + model.itemBias[book]!;

  let row = 0;
  let consideredRow = 0;
  for (let user = 0; user < userCount; user++) {
    userOffsets[user] = row;
    consideredOffsets[user] = consideredRow;
    const n = wanted[user]!;
    const extra = consideredWanted[user]!;
    const poolSize = Math.min(bookCount, Math.ceil(settings.candidateFactor * (n + extra)) + 10);

    let pool = 0;
    if (poolSize * 4 < bookCount) {
      for (let draws = 0; pool < poolSize && draws < poolSize * 12; draws++) {
        const book = byPopularity.sample(random);
        if (seenBy[book] === user) continue;
        seenBy[book] = user;
        candidates[pool++] = book;
      }
      // Candidates already carry popularity^α; the keys only add taste.
      for (let c = 0; c < pool; c++) keys[c] = settings.affinityBeta * affinityOf(user, candidates[c]!) + random.gumbel();
    }
    if (pool < n + extra) {
      // The pool would cover much of the catalogue (or popularity is too concentrated to fill it),
      // where drawing by popularity saturates and stops favouring popular books: score every book.
      pool = 0;
      for (let book = 0; book < bookCount; book++) {
        candidates[pool] = book;
        keys[pool++] = logPopularity[book]! + settings.affinityBeta * affinityOf(user, book) + random.gumbel();
      }
    }
    const order = Int32Array.from({ length: pool }, (_, c) => c).sort((a, b) => keys[b]! - keys[a]!);

    const rated = Math.min(n, pool);
    const from = activeFrom[user]!;
    for (let r = 0; r < rated; r++) {
      const book = candidates[order[r]!]!;
      userIndex[row] = user;
      bookIndex[row] = book;
      score[row] =
        model.userBias[user]! + model.itemBias[book]! + dot(model.userFactors, user * k, model.itemFactors, book * k, k) + model.noiseStdDev * random.normal();
      // A book cannot be rated before it came out.
      const earliest = publishedAt[book]! > from && publishedAt[book]! < referenceTime ? publishedAt[book]! : from;
      createdAt[row] = Math.round(earliest + (referenceTime - earliest) * recencySkew(random.next()));
      row++;
    }
    const consideredCount = Math.min(extra, pool - rated);
    for (let c = 0; c < consideredCount; c++) considered[consideredRow++] = candidates[order[rated + c]!]!;
  }
  userOffsets[userCount] = row;
  consideredOffsets[userCount] = consideredRow;

  return {
    count: row,
    userIndex: userIndex.subarray(0, row),
    bookIndex: bookIndex.subarray(0, row),
    score: score.subarray(0, row),
    createdAt: createdAt.subarray(0, row),
    userOffsets,
    considered: considered.subarray(0, consideredRow),
    consideredOffsets,
    activeFrom,
  };
}

/** Activity is log-normal, scaled by how long the reader has been around, and capped by the catalogue. */
function wantedRatingCounts(random: Random, activeFrom: Float64Array, referenceTime: number, bookCount: number, settings: RatingSamplerSettings): Int32Array {
  const tenure = Float64Array.from(activeFrom, (from) => 0.3 + 0.7 * Math.min(1, (referenceTime - from) / RATING_WINDOW_MS));
  const meanTenure = tenure.reduce((sum, value) => sum + value, 0) / Math.max(1, tenure.length);
  const sigma = settings.activitySigma;
  // Chosen so the mean over readers comes out at meanRatingsPerUser (before the cap).
  const mu = Math.log(settings.meanRatingsPerUser / meanTenure) - (sigma * sigma) / 2;
  const cap = Math.max(1, Math.floor(bookCount * settings.maxCatalogueShare));
  return Int32Array.from(tenure, (factor, user) => {
    const drawn = Math.round(factor * Math.exp(mu + sigma * random.normal()));
    // The demo admin gets a full history so "for you" has something to work with.
    const floor = user === 0 ? 50 : 1;
    return Math.min(cap, Math.max(floor, drawn));
  });
}

/** Maps a uniform draw into [0, 1) with more mass near 1: activity grows towards the present. */
export function recencySkew(u: number): number {
  return 1 - Math.pow(1 - u, 1.4);
}
