import { normalizeIsbn } from "../../lib/isbn.ts";
import type { SqlConnection } from "../../lib/db/database.ts";

/** Stored ids of the books a file refers to by its dataset's keys; unknown keys are absent. */
export type BookResolver = (connection: SqlConnection, externalIds: readonly string[]) => Promise<Map<string, number>>;

/** Books the dataset itself imported, by (source, external_id). */
export function booksOfSource(source: string): BookResolver {
  return async (connection, externalIds) => {
    const unique = [...new Set(externalIds)];
    if (unique.length === 0) return new Map();
    const rows = await connection.query<{ id: number; external_id: string }>(
      "SELECT id, external_id FROM books WHERE source = $1 AND external_id = ANY($2::text[])",
      [source, unique],
    );
    return new Map(rows.map((row) => [row.external_id, row.id]));
  };
}

/**
 * For datasets keyed by ISBN: the dataset's own book, else any book with that
 * ISBN (a book another dataset imported first is the same book).
 */
export function booksOfSourceOrIsbn(source: string): BookResolver {
  const own = booksOfSource(source);
  return async (connection, externalIds) => {
    const ids = await own(connection, externalIds);
    const byIsbn13 = new Map<string, string[]>();
    for (const externalId of new Set(externalIds)) {
      if (ids.has(externalId)) continue;
      const isbn = normalizeIsbn(externalId);
      if (!isbn) continue;
      byIsbn13.set(isbn.isbn13, [...(byIsbn13.get(isbn.isbn13) ?? []), externalId]);
    }
    if (byIsbn13.size === 0) return ids;
    const rows = await connection.query<{ id: number; isbn13: string }>("SELECT id, isbn13 FROM books WHERE isbn13 = ANY($1::char(13)[])", [[...byIsbn13.keys()]]);
    for (const row of rows) for (const externalId of byIsbn13.get(row.isbn13) ?? []) ids.set(externalId, row.id);
    return ids;
  };
}
