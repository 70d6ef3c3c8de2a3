import type { SqlConnection, SqlDatabase } from "../../lib/db/database.ts";
import type { Dataset, ItemFeatures } from "../data/dataset.ts";
import { RawEventCollector } from "../data/raw-events.ts";
import { interactionStrength, ratingStrength, signalMillisSql as ms } from "../../lib/models/signal-strength.ts";

const PAGE = 100_000;

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
export async function extractFromDatabase(db: SqlDatabase): Promise<{ dataset: Dataset; summary: ExtractionSummary }> {
  return db.withConnection(async (connection) => {
    const collector = new RawEventCollector();
    let newestSignal = 0;
    // Placeholder accounts holding anonymised ratings of deleted readers: kept for the catalogue, never trained on.
    const erased = new Set(
      (await connection.query<{ id: number }>(`SELECT id FROM users WHERE source = 'erased'`)).map((row) => row.id),
    );
    const add = (user: number, book: number, strength: number, time: number) => {
      if (erased.has(user)) return;
      collector.add(user, book, strength, time);
      if (time > newestSignal) newestSignal = time;
    };
    const ratings = await packedPages(connection, "ratings", `user_id || ',' || book_id || ',' || rating || ',' || scale || ',' || ${ms("created_at")}`, (f) =>
      add(Number(f[0]), Number(f[1]), ratingStrength(Number(f[2]), Number(f[3])), Number(f[4])),
    );
    const interactions = await packedPages(
      connection,
      "interactions",
      `user_id || ',' || book_id || ',' || type::text || ',' || coalesce(value::text, '') || ',' || ${ms("occurred_at")}`,
      (f) => add(Number(f[0]), Number(f[1]), interactionStrength(f[2]!, f[3] === "" ? null : Number(f[3])), Number(f[4])),
    );
    const readingEntries = await packedPages(
      connection,
      "reading_history",
      `user_id || ',' || book_id || ',' || status::text || ',' || ${ms("started_at")}`,
      (f) => add(Number(f[0]), Number(f[1]), interactionStrength(f[2] === "FINISHED" ? "FINISH_READING" : "START_READING", null), Number(f[3])),
    );
    // bookmarks has a composite key: page on (user_id, book_id).
    let bookmarks = 0;
    let after: [number, number] = [-1, -1];
    for (;;) {
      const rows = await connection.query<{ user_id: number; book_id: number; t: string }>(
        `SELECT user_id, book_id, ${ms("created_at")} AS t FROM bookmarks
         WHERE (user_id, book_id) > ($1, $2) ORDER BY user_id, book_id LIMIT ${PAGE}`,
        after,
      );
      for (const row of rows) add(row.user_id, row.book_id, interactionStrength("SHELVE", null), Number(row.t));
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

/**
 * Keyset pagination on `id`, each page packed server-side into one string
 * ("a,b,c;a,b,c;..."): one value per page instead of 100k row objects is what
 * makes extraction from the embedded database take seconds rather than tens.
 */
async function packedPages(connection: SqlConnection, table: string, row: string, each: (fields: string[]) => void): Promise<number> {
  let after = "-1";
  let total = 0;
  for (;;) {
    const [page] = await connection.query<{ last: string | null; n: string | number; packed: string | null }>(
      `SELECT max(id)::text AS last, count(*) AS n, string_agg(r, ';') AS packed
       FROM (SELECT id, ${row} AS r FROM ${table} WHERE id > $1::bigint ORDER BY id LIMIT ${PAGE}) page`,
      [after],
    );
    const n = Number(page?.n ?? 0);
    if (n > 0 && page?.packed) for (const line of page.packed.split(";")) each(line.split(","));
    total += n;
    if (n < PAGE || !page?.last) return total;
    after = page.last;
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
       (SELECT array_agg(g.name ORDER BY bg.weight DESC, g.id) FROM book_genres bg JOIN genres g ON g.id = bg.genre_id WHERE bg.book_id = b.id) AS genres
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
