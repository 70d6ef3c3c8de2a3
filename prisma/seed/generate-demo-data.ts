import { Faker, base, en } from "@faker-js/faker";
import { generateActivity } from "./activity.ts";
import { generateCatalogue } from "./catalogue.ts";
import {
  InteractionCode,
  type DemoDataOptions,
  type DemoDataset,
  type GenrePreferenceTable,
  type InteractionTable,
  type RatingTable,
  type ResolvedDemoDataOptions,
  type UserSegment,
} from "./dataset.ts";
import { buildLatentModel } from "./latent-model.ts";
import { Random } from "./random.ts";
import { sampleRatings, type SampledRatings } from "./rating-sampler.ts";
import { starThresholds, toStars } from "./star-scale.ts";
import { favouriteStrength, generateUsers } from "./users.ts";

const DAY_MS = 86_400_000;
const NEW_USER_DAYS = 90;
const AVID_RATINGS = 100;
const TAG_SHARE_BY_POSITION = [0.6, 0.35, 0.25, 0.15];

/**
 * The whole demo dataset in memory, hidden model included, without touching a
 * database: the same options always give the same data.
 */
export function generateDemoData(options: DemoDataOptions): DemoDataset {
  const resolved = resolveOptions(options);
  const { seed, referenceTime } = resolved;

  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  // Separate streams: changing how one part is drawn leaves the others' numbers alone.
  const text = { faker, random: new Random(seed, "text") };
  const catalogue = generateCatalogue(text, new Random(seed, "catalogue"), resolved.books);
  const users = generateUsers(text, new Random(seed, "users"), resolved.users, referenceTime);
  const latent = buildLatentModel(new Random(seed, "model"), { genreIdsByBook: catalogue.genreIdsByBook, favouriteGenres: users.favouriteGenres });
  const sampled = sampleRatings(new Random(seed, "ratings"), {
    model: latent,
    registeredAt: users.registeredAt,
    publicationYear: catalogue.books.publicationYear,
    referenceTime,
  });
  const thresholds = starThresholds(sampled.score);
  const ratings = ratingTableInTimeOrder(sampled, thresholds);
  const activity = generateActivity(new Random(seed, "activity"), sampled, users.registeredAt, referenceTime);

  const ratingsCount = new Int32Array(resolved.books);
  const ratingsSum = new Float64Array(resolved.books);
  for (let row = 0; row < ratings.count; row++) {
    const book = ratings.bookId[row]! - 1;
    ratingsCount[book] = ratingsCount[book]! + 1;
    ratingsSum[book] = ratingsSum[book]! + ratings.rating[row]!;
  }
  const averageRating = Float64Array.from(ratingsSum, (sum, book) => (ratingsCount[book]! > 0 ? sum / ratingsCount[book]! : 0));

  const bookGenreRows = catalogue.genreIdsByBook.flatMap((genreIds, book) =>
    genreIds.map((genreId, position) => ({ bookId: book + 1, genreId, weight: 1 + Math.round(ratingsCount[book]! * (TAG_SHARE_BY_POSITION[position] ?? 0.1)) })),
  );

  const segment: UserSegment[] = Array.from({ length: resolved.users }, (_, user) => {
    if (referenceTime - users.registeredAt[user]! < NEW_USER_DAYS * DAY_MS) return "new";
    return sampled.userOffsets[user + 1]! - sampled.userOffsets[user]! >= AVID_RATINGS ? "avid" : "casual";
  });

  return {
    options: resolved,
    genres: catalogue.genres,
    publishers: catalogue.publishers,
    authors: catalogue.authors,
    books: { ...catalogue.books, averageRating, ratingsCount },
    bookAuthors: catalogue.bookAuthors,
    bookGenres: {
      bookId: Int32Array.from(bookGenreRows, (row) => row.bookId),
      genreId: Int32Array.from(bookGenreRows, (row) => row.genreId),
      weight: Int32Array.from(bookGenreRows, (row) => row.weight),
    },
    users: {
      count: users.count,
      displayName: users.displayName,
      email: users.email,
      role: users.role,
      ageGroup: users.ageGroup,
      country: users.country,
      segment,
      registeredAt: users.registeredAt,
    },
    genrePreferences: statedPreferences(users.favouriteGenres, users.statesPreferences),
    ratings,
    bookmarks: {
      userId: Int32Array.from(activity.bookmarks.userIndex, (user) => user + 1),
      bookId: Int32Array.from(activity.bookmarks.bookIndex, (book) => book + 1),
      createdAt: Float64Array.from(activity.bookmarks.createdAt),
    },
    readingHistory: {
      userId: Int32Array.from(activity.reading.userIndex, (user) => user + 1),
      bookId: Int32Array.from(activity.reading.bookIndex, (book) => book + 1),
      status: Uint8Array.from(activity.reading.status),
      startedAt: Float64Array.from(activity.reading.startedAt),
      finishedAt: Float64Array.from(activity.reading.finishedAt),
    },
    interactions: interactionTableInTimeOrder(ratings, activity.implicit),
    model: { ...latent, starThresholds: thresholds },
  };
}

export function resolveOptions(options: DemoDataOptions): ResolvedDemoDataOptions {
  const positive = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  };
  positive("books", options.books);
  positive("users", options.users);
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer between 0 and ${0xffffffff}, got ${options.seed}`);
  }
  const reference = options.referenceTime === undefined ? startOfUtcDay(Date.now()) : Number(options.referenceTime);
  if (!Number.isFinite(reference)) throw new RangeError("referenceTime must be a valid date");
  return { books: options.books, users: options.users, seed: options.seed, referenceTime: reference };
}

/** Reruns on the same day produce the same timestamps, not just the same ratings. */
export function startOfUtcDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

function ratingTableInTimeOrder(sampled: SampledRatings, thresholds: readonly number[]): RatingTable {
  const order = timeOrder(sampled.createdAt);
  return {
    count: sampled.count,
    userId: Int32Array.from(order, (row) => sampled.userIndex[row]! + 1),
    bookId: Int32Array.from(order, (row) => sampled.bookIndex[row]! + 1),
    rating: Uint8Array.from(order, (row) => toStars(sampled.score[row]!, thresholds)),
    createdAt: Float64Array.from(order, (row) => sampled.createdAt[row]!),
  };
}

function interactionTableInTimeOrder(
  ratings: RatingTable,
  implicit: { userIndex: Int32Array; bookIndex: Int32Array; type: Uint8Array; occurredAt: Float64Array },
): InteractionTable {
  const count = ratings.count + implicit.userIndex.length;
  const occurredAt = new Float64Array(count);
  occurredAt.set(ratings.createdAt, 0);
  occurredAt.set(implicit.occurredAt, ratings.count);
  const order = timeOrder(occurredAt);
  const table: InteractionTable = {
    count,
    userId: new Int32Array(count),
    bookId: new Int32Array(count),
    type: new Uint8Array(count),
    value: new Float64Array(count),
    occurredAt: new Float64Array(count),
  };
  order.forEach((source, row) => {
    table.occurredAt[row] = occurredAt[source]!;
    if (source < ratings.count) {
      table.userId[row] = ratings.userId[source]!;
      table.bookId[row] = ratings.bookId[source]!;
      table.type[row] = InteractionCode.RATE;
      table.value[row] = ratings.rating[source]!;
    } else {
      const i = source - ratings.count;
      table.userId[row] = implicit.userIndex[i]! + 1;
      table.bookId[row] = implicit.bookIndex[i]! + 1;
      table.type[row] = implicit.type[i]!;
      table.value[row] = Number.NaN;
    }
  });
  return table;
}

/** Row order by time; ties keep generation order so the result is stable. */
function timeOrder(times: Float64Array): Int32Array {
  return Int32Array.from({ length: times.length }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
}

function statedPreferences(favourites: readonly (readonly number[])[], states: readonly boolean[]): GenrePreferenceTable {
  const rows: { userId: number; genreId: number; weight: number }[] = [];
  favourites.forEach((genres, user) => {
    if (!states[user]) return;
    genres.forEach((genre, position) => rows.push({ userId: user + 1, genreId: genre + 1, weight: favouriteStrength(position) }));
  });
  return {
    userId: Int32Array.from(rows, (row) => row.userId),
    genreId: Int32Array.from(rows, (row) => row.genreId),
    weight: Float32Array.from(rows, (row) => row.weight),
  };
}
