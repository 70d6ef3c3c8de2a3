import type { GenreFamily } from "./genres.ts";

/**
 * The in-memory demo dataset. Row i of every table has database id i + 1, so the
 * typed arrays double as id -> value maps. Times are epoch milliseconds; NaN in a
 * Float64Array column stands for SQL NULL.
 */
export interface DemoDataOptions {
  readonly books: number;
  readonly users: number;
  readonly seed: number;
  /** "Now" for the generated history (ratings run up to it). Defaults to the start of the current UTC day. */
  readonly referenceTime?: Date | number;
}

export interface ResolvedDemoDataOptions {
  readonly books: number;
  readonly users: number;
  readonly seed: number;
  readonly referenceTime: number;
}

export interface GenreRecord {
  readonly id: number;
  readonly name: string;
  readonly slug: string;
  readonly family: GenreFamily;
}

export interface NamedRecord {
  readonly id: number;
  readonly name: string;
}

export interface BookTable {
  readonly count: number;
  readonly title: string[];
  readonly subtitle: (string | null)[];
  readonly description: string[];
  readonly isbn13: string[];
  readonly isbn10: (string | null)[];
  readonly language: string[];
  readonly coverUrl: string[];
  readonly publicationYear: Int16Array;
  readonly publisherId: Int32Array;
  /** Derived from the generated ratings, as the database maintains them. */
  readonly averageRating: Float64Array;
  readonly ratingsCount: Int32Array;
}

export interface BookAuthorTable {
  readonly bookId: Int32Array;
  readonly authorId: Int32Array;
  readonly position: Int16Array;
}

export interface BookGenreTable {
  readonly bookId: Int32Array;
  readonly genreId: Int32Array;
  readonly weight: Int32Array;
}

export const AGE_GROUPS = ["UNDER_18", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_64", "AGE_65_PLUS"] as const;
export type AgeGroupName = (typeof AGE_GROUPS)[number];

export const USER_SEGMENTS = ["new", "casual", "avid"] as const;
export type UserSegment = (typeof USER_SEGMENTS)[number];

export interface UserTable {
  readonly count: number;
  readonly displayName: string[];
  readonly email: string[];
  readonly role: ("READER" | "ADMIN")[];
  readonly ageGroup: (AgeGroupName | null)[];
  readonly country: string[];
  readonly segment: UserSegment[];
  readonly registeredAt: Float64Array;
}

export interface GenrePreferenceTable {
  readonly userId: Int32Array;
  readonly genreId: Int32Array;
  readonly weight: Float32Array;
}

/** Ordered by createdAt, so rating ids grow with time like a real log. */
export interface RatingTable {
  readonly count: number;
  readonly userId: Int32Array;
  readonly bookId: Int32Array;
  readonly rating: Uint8Array;
  readonly createdAt: Float64Array;
}

export interface BookmarkTable {
  readonly userId: Int32Array;
  readonly bookId: Int32Array;
  readonly createdAt: Float64Array;
}

export const READING_STATUSES = ["READING", "FINISHED", "ABANDONED"] as const;
export type ReadingStatusName = (typeof READING_STATUSES)[number];

export interface ReadingHistoryTable {
  readonly userId: Int32Array;
  readonly bookId: Int32Array;
  /** Index into READING_STATUSES. */
  readonly status: Uint8Array;
  readonly startedAt: Float64Array;
  readonly finishedAt: Float64Array;
}

export const INTERACTION_TYPES = ["RATE", "REVIEW", "START_READING", "FINISH_READING", "SHELVE", "VIEW"] as const;
export type InteractionTypeName = (typeof INTERACTION_TYPES)[number];
export const InteractionCode = {
  RATE: 0,
  REVIEW: 1,
  START_READING: 2,
  FINISH_READING: 3,
  SHELVE: 4,
  VIEW: 5,
} as const satisfies Record<InteractionTypeName, number>;

/** Ordered by occurredAt; ids follow that order. */
export interface InteractionTable {
  readonly count: number;
  readonly userId: Int32Array;
  readonly bookId: Int32Array;
  /** Index into INTERACTION_TYPES. */
  readonly type: Uint8Array;
  readonly value: Float64Array;
  readonly occurredAt: Float64Array;
}

/**
 * The generator's ground truth, never written to the database: what a trained
 * model should rediscover. Indexed by id - 1 like the tables.
 */
export interface HiddenModel {
  readonly factors: number;
  /** users x factors, row-major. */
  readonly userFactors: Float32Array;
  /** books x factors, row-major. */
  readonly itemFactors: Float32Array;
  /** genres x factors: the taste direction each genre stands for. */
  readonly genreDirections: Float32Array;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  /** Relative popularity of each book (sums to 1): how often it is put in front of readers. */
  readonly popularity: Float64Array;
  /** Genre ids each user is drawn towards (what stated preferences report), strongest first. */
  readonly favouriteGenres: readonly (readonly number[])[];
  /** Score cut points between 1|2, 2|3, 3|4 and 4|5 stars. */
  readonly starThresholds: readonly number[];
  readonly noiseStdDev: number;
  /** Taste match u·v of a user and a book, by database ids. */
  preference(userId: number, bookId: number): number;
  /** Expected star score before noise and thresholds: biases plus preference. */
  expectedScore(userId: number, bookId: number): number;
}

export interface DemoDataset {
  readonly options: ResolvedDemoDataOptions;
  readonly genres: readonly GenreRecord[];
  readonly publishers: readonly NamedRecord[];
  readonly authors: readonly NamedRecord[];
  readonly books: BookTable;
  readonly bookAuthors: BookAuthorTable;
  readonly bookGenres: BookGenreTable;
  readonly users: UserTable;
  readonly genrePreferences: GenrePreferenceTable;
  readonly ratings: RatingTable;
  readonly bookmarks: BookmarkTable;
  readonly readingHistory: ReadingHistoryTable;
  readonly interactions: InteractionTable;
  readonly model: HiddenModel;
}

/** What the seeder writes: everything but the hidden model (which holds functions, so it cannot cross to another thread). */
export type WritableDemoDataset = Omit<DemoDataset, "model">;
