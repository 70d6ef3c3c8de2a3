import type { SqlConnection } from "../../../lib/db/database.ts";
import { quoteIdentifier, readerReferences, referenceMatches, type ReaderReference } from "../../../lib/privacy/reader-references.ts";

/** Readable names for the sections of the export; a table not listed appears under its own table.column name. */
const SECTIONS: Record<string, string> = {
  "user_genre_preferences.user_id": "genrePreferences",
  "user_author_preferences.user_id": "authorPreferences",
  "ratings.user_id": "ratings",
  "reviews.user_id": "reviews",
  "bookmarks.user_id": "shelf",
  "reading_history.user_id": "history",
  "follows.follower_id": "following",
  "follows.followee_id": "followers",
  "interactions.user_id": "interactions",
  "experiment_assignments.user_id": "assignments",
  "experiment_events.user_id": "events",
  "recommendation_logs.user_id": "recommendationsShown",
  "audit_logs.actor_id": "auditTrail",
};

const EXPORT_FORMAT = "shelfgraph-export/1";

/**
 * Everything held about one reader, as one JSON document: the profile and, for
 * every column of the database that refers to them (found in the catalogs, so a
 * new table is included without being listed), the rows it refers to. Books are
 * named alongside so the document is readable on its own.
 */
export async function exportReaderData(connection: SqlConnection, userId: number): Promise<Record<string, unknown>> {
  const [profile] = await connection.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(u) AS row FROM users u WHERE u.id = $1`, [userId]);
  if (!profile) return { format: EXPORT_FORMAT, exportedAt: new Date().toISOString(), profile: null };
  const sections: Record<string, unknown[]> = {};
  const bookIds = new Set<number>();
  for (const reference of await readerReferences(connection)) {
    if (reference.table === "users") continue;
    const rows = await rowsReferring(connection, reference, userId);
    sections[SECTIONS[`${reference.table}.${reference.column}`] ?? `${reference.table}.${reference.column}`] = rows;
    for (const row of rows) {
      for (const key of ["book_id", "seed_book_id"]) if (typeof row[key] === "number") bookIds.add(row[key] as number);
    }
  }
  const books = bookIds.size
    ? await connection.query<{ id: number; title: string }>(`SELECT id, title FROM books WHERE id = ANY($1::int[]) ORDER BY id`, [[...bookIds]])
    : [];
  return {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    profile: profile.row,
    ...sections,
    books: Object.fromEntries(books.map((book) => [book.id, book.title])),
  };
}

async function rowsReferring(connection: SqlConnection, reference: ReaderReference, userId: number): Promise<Record<string, unknown>[]> {
  const rows = await connection.query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS row FROM ${quoteIdentifier(reference.table)} t WHERE ${referenceMatches(reference, 1, "t")}`,
    [String(userId)],
  );
  return rows.map((entry) => entry.row);
}
