import { AliasTable } from "./alias-table.ts";
import type { HiddenModel } from "./dataset.ts";
import { dot } from "./latent-model.ts";
import type { Random } from "./random.ts";
import { TopKeys } from "./top-keys.ts";

const DAY_MS = 86_400_000;
export const RATING_WINDOW_MS = 2 * 365 * DAY_MS;

export interface RatingSamplerSettings {
  /** Mean ratings per reader before the catalogue-size cap. */
  readonly meanRatingsPerUser: number;
  /** Spread of the log-normal activity distribution: a few readers rate hundreds of books. */
  readonly activitySigma: number;
  /** Nobody rates more than this share of the catalogue. */
  readonly maxCatalogueShare: number;
  /** α in P(book) ∝ popularity^α · exp(β · u·v + γ · item bias). */
  readonly popularityAlpha: number;
  /** β: how strongly personal taste (u·v) steers which books a reader picks up. */
  readonly affinityBeta: number;
  /** γ: how much more often everyone picks up books that are better liked on average. */
  readonly qualityGamma: number;
  /** Past the exact-scoring budget: candidates drawn by popularity per book finally chosen; more means taste matters more. */
  readonly candidateFactor: number;
  /** Above this many reader × book pairs, light readers are scored on a popularity-drawn pool instead of the whole catalogue. */
  readonly exactScoringBudget: number;
  /** Books a reader considered but did not rate (shelved, viewed, started), per rating. */
  readonly consideredPerRating: number;
}

export const DEFAULT_SAMPLER_SETTINGS: RatingSamplerSettings = {
  meanRatingsPerUser: 60,
  activitySigma: 1,
  maxCatalogueShare: 0.25,
  popularityAlpha: 1,
  affinityBeta: 4,
  qualityGamma: 1.5,
  candidateFactor: 3,
  consideredPerRating: 0.12,
  exactScoringBudget: 2e8,
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
 * The log-weight, apart from α·log popularity, with which a reader picks up a book:
 * β·u·v (personal taste) + γ·item bias (books liked by most are picked by most).
 * Indexes are 0-based.
 */
export function selectionTaste(model: Omit<HiddenModel, "starThresholds">, settings: RatingSamplerSettings = DEFAULT_SAMPLER_SETTINGS) {
  const k = model.factors;
  return (user: number, book: number): number =>
    settings.affinityBeta * dot(model.userFactors, user * k, model.itemFactors, book * k, k) + settings.qualityGamma * model.itemBias[book]!;
}

/**
 * Each reader rates a heavy-tailed number of books, sampled without replacement
 * with probability ∝ popularity^α · exp(β·u·v + γ·item bias) by the Gumbel-top-k
 * trick. Taste has to steer the choice, not only the stars, or there is little
 * personal signal for collaborative filtering to find; popularity keeps the head
 * realistic (about half the ratings on the top 10% of a 10,000-book catalogue).
 * Every book is scored for every reader up to a budget of reader × book pairs
 * (seconds at demo sizes); beyond it, light readers' candidates are first drawn
 * by popularity^α and only they are scored (importance resampling, which
 * under-weights taste).
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
  const affinityOf = selectionTaste(model, settings);

  // Scoring every book is exact and, at demo sizes, cheap; past the budget readers fall back to a popularity-drawn pool.
  const scoreEveryBook = userCount * bookCount <= settings.exactScoringBudget;
  const top = new TopKeys(bookCount);

  let row = 0;
  let consideredRow = 0;
  for (let user = 0; user < userCount; user++) {
    userOffsets[user] = row;
    consideredOffsets[user] = consideredRow;
    const n = wanted[user]!;
    const extra = consideredWanted[user]!;
    const poolSize = Math.min(bookCount, Math.ceil(settings.candidateFactor * (n + extra)) + 10);
    top.reset(Math.min(bookCount, n + extra));

    let pool = 0;
    if (!scoreEveryBook && poolSize * 4 < bookCount) {
      for (let draws = 0; pool < poolSize && draws < poolSize * 12; draws++) {
        const book = byPopularity.sample(random);
        if (seenBy[book] === user) continue;
        seenBy[book] = user;
        candidates[pool++] = book;
      }
    }
    if (pool >= n + extra) {
      // Candidates already carry popularity^α; the keys only add taste.
      for (let c = 0; c < pool; c++) top.offer(candidates[c]!, affinityOf(user, candidates[c]!) + random.gumbel());
    } else {
      // Exact Gumbel-top-k over the catalogue (also where a pool would cover much of it, or popularity is too
      // concentrated to fill it: drawing by popularity saturates there and stops favouring popular books).
      for (let book = 0; book < bookCount; book++) top.offer(book, logPopularity[book]! + affinityOf(user, book) + random.gumbel());
    }
    const order = top.drainDescending();

    const rated = Math.min(n, order.length);
    const from = activeFrom[user]!;
    for (let r = 0; r < rated; r++) {
      const book = order[r]!;
      userIndex[row] = user;
      bookIndex[row] = book;
      score[row] =
        model.userBias[user]! + model.itemBias[book]! + dot(model.userFactors, user * k, model.itemFactors, book * k, k) + model.noiseStdDev * random.normal();
      // A book cannot be rated before it came out.
      const earliest = publishedAt[book]! > from && publishedAt[book]! < referenceTime ? publishedAt[book]! : from;
      createdAt[row] = Math.round(earliest + (referenceTime - earliest) * recencySkew(random.next()));
      row++;
    }
    for (let c = rated; c < order.length; c++) considered[consideredRow++] = order[c]!;
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
