import { zipfWeights } from "./alias-table.ts";
import type { HiddenModel } from "./dataset.ts";
import { GENRE_DEFINITIONS, GENRE_FAMILIES } from "./genres.ts";
import type { Random } from "./random.ts";
import { favouriteStrength } from "./users.ts";

/**
 * The hidden taste model ratings are drawn from. Genres are directions in a
 * k-dimensional taste space (genres of one family point roughly the same way);
 * a book's factors lean towards its genres' directions and a reader's towards
 * their favourite genres', plus individual variation the genres do not explain.
 * So collaborative filtering and content-based models see the same structure.
 */
export const LATENT_FACTORS = 16;

export interface LatentModelSettings {
  /** Share of a book's (or reader's) taste vector explained by genres; the rest is idiosyncratic. */
  readonly genreWeight: number;
  /** Standard deviation of u·v across random pairs, relative to the biases below. */
  readonly preferenceStdDev: number;
  readonly userBiasStdDev: number;
  readonly itemBiasStdDev: number;
  readonly noiseStdDev: number;
  /** Zipf exponent of book popularity. */
  readonly popularityExponent: number;
}

export const DEFAULT_LATENT_SETTINGS: LatentModelSettings = {
  genreWeight: 0.8,
  preferenceStdDev: 1,
  userBiasStdDev: 0.35,
  itemBiasStdDev: 0.35,
  noiseStdDev: 0.6,
  popularityExponent: 0.7,
};

const GENRE_POSITION_WEIGHT = [1, 0.6, 0.45, 0.35];

export interface LatentModelInput {
  readonly genreIdsByBook: readonly (readonly number[])[];
  /** 0-based genre indexes per user, strongest first. */
  readonly favouriteGenres: readonly (readonly number[])[];
}

export function buildLatentModel(random: Random, input: LatentModelInput, settings: LatentModelSettings = DEFAULT_LATENT_SETTINGS): Omit<HiddenModel, "starThresholds"> {
  const k = LATENT_FACTORS;
  const bookCount = input.genreIdsByBook.length;
  const userCount = input.favouriteGenres.length;

  const familyDirections = GENRE_FAMILIES.map(() => normalize(gaussianVector(random, k)));
  const genreDirections = new Float32Array(GENRE_DEFINITIONS.length * k);
  GENRE_DEFINITIONS.forEach((genre, g) => {
    const family = familyDirections[GENRE_FAMILIES.indexOf(genre.family)]!;
    const own = normalize(gaussianVector(random, k));
    const direction = normalize(family.map((value, f) => 0.75 * value + 0.66 * own[f]!));
    genreDirections.set(direction, g * k);
  });

  const blend = (genres: readonly number[], strengthOf: (position: number) => number): Float32Array => {
    const content = new Array<number>(k).fill(0);
    genres.forEach((genre, position) => {
      const strength = strengthOf(position);
      for (let f = 0; f < k; f++) content[f]! += strength * genreDirections[genre * k + f]!;
    });
    const direction = normalize(content);
    const own = gaussianVector(random, k);
    const idiosyncratic = Math.sqrt(1 - settings.genreWeight * settings.genreWeight) / Math.sqrt(k);
    return Float32Array.from(direction, (value, f) => settings.genreWeight * value + idiosyncratic * own[f]!);
  };

  const itemFactors = new Float32Array(bookCount * k);
  input.genreIdsByBook.forEach((genreIds, book) => {
    itemFactors.set(
      blend(
        genreIds.map((id) => id - 1),
        (position) => GENRE_POSITION_WEIGHT[position] ?? 0.3,
      ),
      book * k,
    );
  });
  const userFactors = new Float32Array(userCount * k);
  input.favouriteGenres.forEach((genres, user) => userFactors.set(blend(genres, favouriteStrength), user * k));

  // Scale both sides so u·v has the intended spread against the biases and the noise.
  const spread = sampleDotStdDev(random, userFactors, itemFactors, k);
  const scale = Math.sqrt(settings.preferenceStdDev / spread);
  for (let i = 0; i < userFactors.length; i++) userFactors[i]! *= scale;
  for (let i = 0; i < itemFactors.length; i++) itemFactors[i]! *= scale;

  // Which books are popular is unrelated to id order.
  const popularity = new Float64Array(bookCount);
  const zipf = zipfWeights(bookCount, settings.popularityExponent, 3);
  const ranks = random.shuffleInPlace(Int32Array.from({ length: bookCount }, (_, i) => i));
  let total = 0;
  for (let book = 0; book < bookCount; book++) total += zipf[ranks[book]!]!;
  for (let book = 0; book < bookCount; book++) popularity[book] = zipf[ranks[book]!]! / total;

  // Popular books are a little better liked on average, as in real data.
  const logPopularity = Float64Array.from(popularity, Math.log);
  const meanLog = logPopularity.reduce((sum, value) => sum + value, 0) / Math.max(1, bookCount);
  const sdLog = Math.sqrt(logPopularity.reduce((sum, value) => sum + (value - meanLog) ** 2, 0) / Math.max(1, bookCount)) || 1;
  const itemBias = Float32Array.from({ length: bookCount }, (_, book) => settings.itemBiasStdDev * (0.9 * random.normal() + 0.44 * ((logPopularity[book]! - meanLog) / sdLog)));
  const userBias = Float32Array.from({ length: userCount }, () => settings.userBiasStdDev * random.normal());

  const preference = (userId: number, bookId: number): number => dot(userFactors, (userId - 1) * k, itemFactors, (bookId - 1) * k, k);
  return {
    factors: k,
    userFactors,
    itemFactors,
    genreDirections,
    userBias,
    itemBias,
    popularity,
    favouriteGenres: input.favouriteGenres.map((genres) => genres.map((genre) => genre + 1)),
    noiseStdDev: settings.noiseStdDev,
    preference,
    expectedScore: (userId, bookId) => userBias[userId - 1]! + itemBias[bookId - 1]! + preference(userId, bookId),
  };
}

export function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, k: number): number {
  let sum = 0;
  for (let f = 0; f < k; f++) sum += a[aOffset + f]! * b[bOffset + f]!;
  return sum;
}

function gaussianVector(random: Random, k: number): number[] {
  return Array.from({ length: k }, () => random.normal());
}

function normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

function sampleDotStdDev(random: Random, users: Float32Array, items: Float32Array, k: number): number {
  const userCount = users.length / k;
  const itemCount = items.length / k;
  if (userCount === 0 || itemCount === 0) return 1;
  const samples = 20_000;
  let sum = 0;
  let sumSquares = 0;
  for (let s = 0; s < samples; s++) {
    const value = dot(users, random.int(userCount) * k, items, random.int(itemCount) * k, k);
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / samples;
  return Math.sqrt(Math.max(sumSquares / samples - mean * mean, 1e-12));
}
