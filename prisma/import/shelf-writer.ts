import { emptyBatchResult, type BatchWriter } from "./batch.ts";
import type { BookResolver } from "./book-resolvers.ts";
import { pairKey } from "./pair-keys.ts";
import { resolveReaderBookPairs } from "./reader-book-pairs.ts";
import type { ShelfRecord } from "./records.ts";
import type { UserSource } from "./users-writer.ts";

/** Stores "wants to read" lists as bookmarks (the to-read shelf), by (user, book). */
export function shelfWriter(users: UserSource, books: BookResolver): BatchWriter<ShelfRecord> {
  const firstLineOf = new Map<number | string, number>();
  return async (connection, records) => {
    const result = emptyBatchResult();
    const resolved = await resolveReaderBookPairs(connection, records, result, {
      users,
      books,
      firstLineOf,
      describeDuplicate: (record, first) =>
        `duplicate shelf entry: user ${record.userExternalId} shelved book ${record.bookExternalId} first at line ${first}`,
    });
    const rows = resolved.pairs.map(({ userId, bookId, record }) => ({ userId, bookId, createdAt: record.createdAt }));
    const stored = await connection.query<{ user_id: number; book_id: number; created_ms: number }>(
      `SELECT b.user_id, b.book_id, (extract(epoch FROM b.created_at) * 1000)::float8 AS created_ms FROM bookmarks b
       JOIN unnest($1::int[], $2::int[]) AS t(user_id, book_id) ON b.user_id = t.user_id AND b.book_id = t.book_id`,
      [rows.map((row) => row.userId), rows.map((row) => row.bookId)],
    );
    const storedAt = new Map(stored.map((row) => [pairKey(row.user_id, row.book_id), Math.round(row.created_ms)]));
    const inserts = rows.filter((row) => !storedAt.has(pairKey(row.userId, row.bookId)));
    const updates = rows.filter((row) => {
      const createdAt = storedAt.get(pairKey(row.userId, row.bookId));
      return createdAt !== undefined && createdAt !== row.createdAt;
    });
    const columns = (list: typeof rows) => [list.map((row) => row.userId), list.map((row) => row.bookId), list.map((row) => row.createdAt)];
    if (inserts.length > 0) {
      const written = await connection.query(
        `INSERT INTO bookmarks (user_id, book_id, created_at)
         SELECT user_id, book_id, to_timestamp(created_ms / 1000.0) FROM unnest($1::int[], $2::int[], $3::float8[]) AS t(user_id, book_id, created_ms)
         ON CONFLICT (user_id, book_id) DO NOTHING RETURNING user_id`,
        columns(inserts),
      );
      result.inserted += written.length;
    }
    if (updates.length > 0) {
      await connection.query(
        `UPDATE bookmarks b SET created_at = to_timestamp(t.created_ms / 1000.0)
         FROM unnest($1::int[], $2::int[], $3::float8[]) AS t(user_id, book_id, created_ms)
         WHERE b.user_id = t.user_id AND b.book_id = t.book_id`,
        columns(updates),
      );
      result.updated += updates.length;
    }
    result.unchanged += rows.length - result.inserted - result.updated;
    result.onCommit = resolved.remember;
    return result;
  };
}
