import type { Database, SqlConnection } from "../../lib/db/database.ts";
import type { Dataset, ItemFeatures } from "../data/dataset.ts";
import { RawEventCollector } from "../data/raw-events.ts";
import { interactionStrength, ratingStrength } from "../../lib/models/signal-strength.ts";

const PAGE = 50_000;

export interface ExtractionSummary {
  readonly ratings: number;
  readonly interactions: number;
  readonly bookmarks: number;
  readonly readingEntries: number;
  readonly books: number;
  /** Newest signal seen (ms since epoch): the trainer counts new interactions from here. */
  readonly newestSignal: number;
}

/**
 * Reads every signal (ratings; interaction events: views, shelving, reading,
 * reviews; bookmarks; reading history) and the whole catalogue with its metadata,
 * page by page on one connection so memory stays flat and a vanished database
 * fails the run with the driver's error rather than a partial dataset.
 */
export async function extractFromDatabase(db: Database): Promise<{ dataset: Dataset; summary: ExtractionSummary }> {
  return db.withConnection(async (connection) => {
    const collector = new RawEventCollector();
    let newestSignal = 0;
    const add = (user: number, book: number, strength: number, time: number) => {
      collector.add(user, book, strength, time);
      if (time > newestSignal) newestSignal = time;
    };
    const ratings = await pages(connection, `SELECT id, user_id, book_id, rating, scale, (extract(epoch FROM created_at) * 1000)::float8 AS t FROM ratings`, (row) =>
      add(row.user_id as number, row.book_id as number, ratingStrength(row.rating as number, row.scale as number), row.t as number),
    );
    const interactions = await pages(
      connection,
      `SELECT id, user_id, book_id, type::text AS type, value, (extract(epoch FROM occurred_at) * 1000)::float8 AS t FROM interactions`,
      (row) => add(row.user_id as number, row.book_id as number, interactionStrength(row.type as string, row.value as number | null), row.t as number),
    );
    const readingEntries = await pages(
      connection,
      `SELECT id, user_id, book_id, status::text AS status, (extract(epoch FROM started_at) * 1000)::float8 AS t FROM reading_history`,
      (row) => add(row.user_id as number, row.book_id as number, interactionStrength(row.status === "FINISHED" ? "FINISH_READING" : "START_READING", null), row.t as number),
    );
    // bookmarks has a composite key: page on (user_id, book_id).
    let bookmarks = 0;
    let after: [number, number] = [-1, -1];
    for (;;) {
      const rows = await connection.query<{ user_id: number; book_id: number; t: number }>(
        `SELECT user_id, book_id, (extract(epoch FROM created_at) * 1000)::float8 AS t FROM bookmarks
         WHERE (user_id, book_id) > ($1, $2) ORDER BY user_id, book_id LIMIT ${PAGE}`,
        after,
      );
      for (const row of rows) add(row.user_id, row.book_id, interactionStrength("SHELVE", null), row.t);
      bookmarks += rows.length;
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = [last.user_id, last.book_id];
    }
    const { catalogue, features } = await readCatalogue(connection);
    const dataset = collector.build({ catalogue, features });
    return { dataset, summary: { ratings, interactions, bookmarks, readingEntries, books: catalogue.length, newestSignal } };
  });
}

/** Keyset pagination on `id` over a SELECT that has an `id` column. */
async function pages(connection: SqlConnection, select: string, each: (row: Record<string, unknown>) => void): Promise<number> {
  let after: number | string = -1;
  let total = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await connection.query(`${select} WHERE id > $1 ORDER BY id LIMIT ${PAGE}`, [after]);
    for (const row of rows) each(row);
    total += rows.length;
    if (rows.length < PAGE) return total;
    after = rows[rows.length - 1]!.id as number | string;
  }
}

async function readCatalogue(connection: SqlConnection): Promise<{ catalogue: number[]; features: Map<number, ItemFeatures> }> {
  const rows = await connection.query<{
    id: number;
    title: string;
    subtitle: string | null;
    description: string | null;
    publication_year: number | null;
    language: string | null;
    authors: string[] | null;
    genres: string[] | null;
  }>(
    `SELECT b.id, b.title, b.subtitle, b.description, b.publication_year, b.language,
       (SELECT array_agg(a.name ORDER BY ba.position) FROM book_authors ba JOIN authors a ON a.id = ba.author_id WHERE ba.book_id = b.id) AS authors,
       (SELECT array_agg(g.name ORDER BY bg.weight DESC) FROM book_genres bg JOIN genres g ON g.id = bg.genre_id WHERE bg.book_id = b.id) AS genres
     FROM books b ORDER BY b.id`,
  );
  const features = new Map<number, ItemFeatures>();
  for (const row of rows) {
    features.set(row.id, {
      title: row.subtitle ? `${row.title} ${row.subtitle}` : row.title,
      description: row.description ?? "",
      authors: row.authors ?? [],
      genres: row.genres ?? [],
      year: row.publication_year,
      language: row.language,
    });
  }
  return { catalogue: rows.map((row) => row.id), features };
}
