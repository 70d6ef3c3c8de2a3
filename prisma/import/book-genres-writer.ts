import { emptyBatchResult, type BatchWriter } from "./batch.ts";
import type { BookResolver } from "./book-resolvers.ts";
import { pairKey } from "./pair-keys.ts";
import type { BookTagRecord } from "./records.ts";

/** Links books to the genres of their tags, weighted by how many readers gave the tag. */
export function bookGenreWriter(books: BookResolver, genreOfTag: ReadonlyMap<number, number>): BatchWriter<BookTagRecord> {
  const firstLineOf = new Map<number | string, number>();
  return async (connection, records) => {
    const result = emptyBatchResult();
    const bookIds = await books(connection, records.map((record) => record.bookExternalId));
    const batchLines = new Map<number | string, number>();
    const rows: { bookId: number; genreId: number; weight: number }[] = [];
    for (const record of records) {
      const bookId = bookIds.get(record.bookExternalId);
      const genreId = genreOfTag.get(record.tagId);
      if (bookId === undefined) {
        result.issues.push({ line: record.line, reason: `unknown book: ${record.bookExternalId}` });
        continue;
      }
      if (genreId === undefined) {
        result.issues.push({ line: record.line, reason: `unknown tag: ${record.tagId}` });
        continue;
      }
      const key = pairKey(genreId, bookId);
      const first = firstLineOf.get(key) ?? batchLines.get(key);
      if (first !== undefined) {
        result.issues.push({ line: record.line, reason: `duplicate book tag: book ${record.bookExternalId} was given tag ${record.tagId} first at line ${first}` });
        continue;
      }
      batchLines.set(key, record.line);
      rows.push({ bookId, genreId, weight: record.weight });
    }
    const stored = await connection.query<{ book_id: number; genre_id: number; weight: number }>(
      `SELECT g.book_id, g.genre_id, g.weight FROM book_genres g
       JOIN unnest($1::int[], $2::int[]) AS t(book_id, genre_id) ON g.book_id = t.book_id AND g.genre_id = t.genre_id`,
      [rows.map((row) => row.bookId), rows.map((row) => row.genreId)],
    );
    const storedWeight = new Map(stored.map((row) => [pairKey(row.genre_id, row.book_id), row.weight]));
    const inserts = rows.filter((row) => !storedWeight.has(pairKey(row.genreId, row.bookId)));
    const updates = rows.filter((row) => {
      const weight = storedWeight.get(pairKey(row.genreId, row.bookId));
      return weight !== undefined && weight !== row.weight;
    });
    const columns = (list: typeof rows) => [list.map((row) => row.bookId), list.map((row) => row.genreId), list.map((row) => row.weight)];
    if (inserts.length > 0) {
      const written = await connection.query(
        `INSERT INTO book_genres (book_id, genre_id, weight) SELECT * FROM unnest($1::int[], $2::int[], $3::int[])
         ON CONFLICT (book_id, genre_id) DO NOTHING RETURNING book_id`,
        columns(inserts),
      );
      result.inserted += written.length;
    }
    if (updates.length > 0) {
      await connection.query(
        `UPDATE book_genres g SET weight = t.weight FROM unnest($1::int[], $2::int[], $3::int[]) AS t(book_id, genre_id, weight)
         WHERE g.book_id = t.book_id AND g.genre_id = t.genre_id`,
        columns(updates),
      );
      result.updated += updates.length;
    }
    result.unchanged += rows.length - result.inserted - result.updated;
    result.onCommit = () => {
      for (const [key, line] of batchLines) firstLineOf.set(key, line);
    };
    return result;
  };
}
