import type { SqlConnection } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import { enumColumn, float8, insertColumns, type Column, int4, int8, quoteIdentifier, text, timestamptz } from "./bulk-insert.ts";
import { INTERACTION_TYPES, READING_STATUSES, type WritableDemoDataset } from "./dataset.ts";
import { withIndexesDeferred } from "./deferred-indexes.ts";

export interface WrittenRows {
  readonly [table: string]: number;
}

/** Tables whose ids the writer chooses; their sequences must be moved past them afterwards. */
const TABLES_WITH_EXPLICIT_IDS = ["genres", "publishers", "authors", "books", "users", "ratings", "reading_history", "interactions"];
/** Tables loaded in bulk, whose secondary indexes and foreign keys are rebuilt once at the end. */
const BULK_TABLES = ["authors", "books", "book_authors", "book_genres", "users", "user_genre_preferences", "ratings", "bookmarks", "reading_history", "interactions"];

/**
 * Tables the reader-history queries read by index-only scans, which need the visibility
 * map set: the seeder VACUUMs (and so analyses) them once the transaction has committed
 * (VACUUM cannot run inside one, and PGlite has no autovacuum to do it later).
 */
export const VACUUMED_AFTER_COMMIT = ["ratings", "interactions"];

const ids = (count: number) => Int32Array.from({ length: count }, (_, i) => i + 1);

/**
 * Writes a generated dataset with explicit ids, in foreign-key order, then derives
 * the books' rating aggregates in SQL, moves every sequence past the written ids and
 * refreshes planner statistics. The caller owns the transaction.
 */
export async function writeDemoData(connection: SqlConnection, data: WritableDemoDataset, logger?: Logger): Promise<WrittenRows> {
  const written = await withIndexesDeferred(
    connection,
    BULK_TABLES,
    async (foreignKeysDeferred) => {
      const rows = await insertRows(connection, data, foreignKeysDeferred, logger);
      await updateRatingAggregates(connection);
      return rows;
    },
    logger,
  );
  await moveSequencesPastIds(connection, TABLES_WITH_EXPLICIT_IDS);
  // PGlite has no autovacuum to notice the new rows; without statistics the planner guesses badly.
  const analysed = ["genres", "publishers", ...BULK_TABLES].filter((table) => !VACUUMED_AFTER_COMMIT.includes(table));
  await connection.exec(`ANALYZE ${analysed.map(quoteIdentifier).join(", ")}`);
  return written;
}

async function insertRows(connection: SqlConnection, data: WritableDemoDataset, foreignKeysDeferred: boolean, logger?: Logger): Promise<WrittenRows> {
  const written: Record<string, number> = {};
  const insert = async (table: string, columns: readonly Column[]) => {
    const started = performance.now();
    written[table] = await insertColumns(connection, table, columns);
    logger?.debug({ table, rows: written[table], ms: Math.round(performance.now() - started) }, "seeded table");
  };
  const { books, users, ratings, interactions } = data;

  await insert("genres", [int4("id", ids(data.genres.length)), text("name", data.genres.map((g) => g.name)), text("slug", data.genres.map((g) => g.slug))]);
  await insert("publishers", [int4("id", ids(data.publishers.length)), text("name", data.publishers.map((p) => p.name))]);
  await insert("authors", [int4("id", ids(data.authors.length)), text("name", data.authors.map((a) => a.name))]);
  const insertBooks = () =>
    insert("books", [
      int4("id", ids(books.count)),
      text("isbn10", books.isbn10),
      text("isbn13", books.isbn13),
      text("title", books.title),
      text("subtitle", books.subtitle),
      text("description", books.description),
      text("language", books.language),
      int4("publication_year", books.publicationYear),
      int4("publisher_id", books.publisherId),
      text("cover_url", books.coverUrl),
    ]);
  const insertLinks = async () => {
    await insert("book_authors", [int4("book_id", data.bookAuthors.bookId), int4("author_id", data.bookAuthors.authorId), int4("position", data.bookAuthors.position)]);
    await insert("book_genres", [int4("book_id", data.bookGenres.bookId), int4("genre_id", data.bookGenres.genreId), int4("weight", data.bookGenres.weight)]);
  };
  // The books' search-document trigger reads a book's authors and genres, and the link
  // tables' triggers refresh the documents of the books they touch. With foreign keys
  // deferred the links can go first, so each document is computed once, at the book's insert.
  if (foreignKeysDeferred) {
    await insertLinks();
    await insertBooks();
  } else {
    await insertBooks();
    await insertLinks();
  }
  await insert("users", [
    int4("id", ids(users.count)),
    text("display_name", users.displayName),
    text("email", users.email),
    enumColumn("role", '"Role"', users.role),
    enumColumn("age_group", '"AgeGroup"', users.ageGroup),
    text("country", users.country),
    text("segment", users.segment),
    timestamptz("registered_at", users.registeredAt),
  ]);
  await insert("user_genre_preferences", [
    int4("user_id", data.genrePreferences.userId),
    int4("genre_id", data.genrePreferences.genreId),
    float8("weight", data.genrePreferences.weight),
    enumColumn("origin", '"PreferenceOrigin"', Array.from(data.genrePreferences.userId, () => "STATED")),
  ]);
  await insert("ratings", [
    int4("id", ids(ratings.count)),
    int4("user_id", ratings.userId),
    int4("book_id", ratings.bookId),
    int4("rating", ratings.rating),
    timestamptz("created_at", ratings.createdAt),
    timestamptz("updated_at", ratings.createdAt),
  ]);
  await insert("bookmarks", [int4("user_id", data.bookmarks.userId), int4("book_id", data.bookmarks.bookId), timestamptz("created_at", data.bookmarks.createdAt)]);
  await insert("reading_history", [
    int4("id", ids(data.readingHistory.userId.length)),
    int4("user_id", data.readingHistory.userId),
    int4("book_id", data.readingHistory.bookId),
    enumColumn("status", '"ReadingStatus"', Array.from(data.readingHistory.status, (code) => READING_STATUSES[code]!)),
    timestamptz("started_at", data.readingHistory.startedAt),
    timestamptz("finished_at", data.readingHistory.finishedAt),
  ]);
  await insert("interactions", [
    int8("id", ids(interactions.count)),
    int4("user_id", interactions.userId),
    int4("book_id", interactions.bookId),
    enumColumn("type", '"InteractionType"', Array.from(interactions.type, (code) => INTERACTION_TYPES[code]!)),
    float8("value", interactions.value),
    timestamptz("occurred_at", interactions.occurredAt),
  ]);

  return written;
}

/**
 * books.average_rating / ratings_count by the application's definition (explicit
 * ratings only, brought to the 5-star scale), derived from all ratings in one pass.
 */
export async function updateRatingAggregates(connection: SqlConnection): Promise<void> {
  await connection.query(`
    UPDATE books AS b
       SET average_rating = a.average, ratings_count = a.total
      FROM (SELECT book_id,
                   coalesce(avg(rating * 5.0 / scale) FILTER (WHERE scale > 0), 0)::float8 AS average,
                   (count(*) FILTER (WHERE scale > 0))::int AS total
              FROM ratings GROUP BY book_id) AS a
     WHERE a.book_id = b.id`);
}

/** After explicit-id inserts, the next application insert must not collide with them. */
export async function moveSequencesPastIds(connection: SqlConnection, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const quoted = quoteIdentifier(table);
    await connection.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT max(id) FROM ${quoted}), 0) + 1, false)`, [quoted]);
  }
}
