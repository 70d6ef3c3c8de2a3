import { emptyBatchResult, type BatchWriter } from "./batch.ts";
import type { BookResolver } from "./book-resolvers.ts";
import { pairKey } from "./pair-keys.ts";
import { resolveReaderBookPairs } from "./reader-book-pairs.ts";
import type { RatingRecord } from "./records.ts";
import type { UserSource } from "./users-writer.ts";

/** `ratings.scale` of an implicit rating (interest without a value), as schema.prisma defines it. */
export const IMPLICIT_SCALE = 0;

export interface RatingWriterOptions {
  readonly users: UserSource;
  readonly books: BookResolver;
  /** Books whose ratings this run wrote; their averages are recomputed at the end. */
  readonly affectedBooks: Set<number>;
  /** Told how many readers a committed batch created (datasets without a users file create them from ratings). */
  readonly onUsersCreated?: (count: number) => void;
}

interface StoredRating {
  user_id: number;
  book_id: number;
  rating: number;
  scale: number;
  created_ms: number;
}

/**
 * Upserts ratings by (user, book). The first rating of a pair in file order wins:
 * a later one is a duplicate and reported, so a re-run cannot flip between them.
 * Stored rows are compared first and unchanged ones are not written.
 */
export function ratingWriter(options: RatingWriterOptions): BatchWriter<RatingRecord> {
  // First line of every (user, book) written this run; the only per-row memory a run keeps.
  const firstLineOf = new Map<number | string, number>();

  return async (connection, records) => {
    const result = emptyBatchResult();
    const { pairs: rows, usersCreated, remember } = await resolveReaderBookPairs(connection, records, result, {
      users: options.users,
      books: options.books,
      firstLineOf,
      describeDuplicate: (record, first) =>
        `duplicate rating: user ${record.userExternalId} rated book ${record.bookExternalId} first at line ${first}`,
    });

    const stored = await connection.query<StoredRating>(
      `SELECT r.user_id, r.book_id, r.rating, r.scale, (extract(epoch FROM r.created_at) * 1000)::float8 AS created_ms
       FROM ratings r JOIN unnest($1::int[], $2::int[]) AS t(user_id, book_id) ON r.user_id = t.user_id AND r.book_id = t.book_id`,
      [rows.map((row) => row.userId), rows.map((row) => row.bookId)],
    );
    const storedByKey = new Map(stored.map((row) => [pairKey(row.user_id, row.book_id), row]));
    const inserts: typeof rows = [];
    const updates: typeof rows = [];
    for (const row of rows) {
      const existing = storedByKey.get(pairKey(row.userId, row.bookId));
      if (!existing) inserts.push(row);
      else if (existing.rating !== row.record.rating || existing.scale !== row.record.scale || Math.round(existing.created_ms) !== row.record.createdAt) updates.push(row);
      else result.unchanged += 1;
    }

    const columns = (list: typeof rows) => [
      list.map((row) => row.userId),
      list.map((row) => row.bookId),
      list.map((row) => row.record.rating),
      list.map((row) => row.record.scale),
      list.map((row) => row.record.createdAt),
    ];
    if (inserts.length > 0) {
      const written = await connection.query<{ book_id: number }>(
        `INSERT INTO ratings (user_id, book_id, rating, scale, created_at, updated_at)
         SELECT user_id, book_id, rating, scale, to_timestamp(created_ms / 1000.0), to_timestamp(created_ms / 1000.0)
         FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::float8[]) AS t(user_id, book_id, rating, scale, created_ms)
         ON CONFLICT (user_id, book_id) DO NOTHING
         RETURNING book_id`,
        columns(inserts),
      );
      result.inserted += written.length;
      result.unchanged += inserts.length - written.length;
    }
    if (updates.length > 0) {
      await connection.query(
        `UPDATE ratings r SET rating = t.rating, scale = t.scale, created_at = to_timestamp(t.created_ms / 1000.0), updated_at = now()
         FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::float8[]) AS t(user_id, book_id, rating, scale, created_ms)
         WHERE r.user_id = t.user_id AND r.book_id = t.book_id`,
        columns(updates),
      );
      result.updated += updates.length;
    }

    result.onCommit = () => {
      remember();
      for (const row of [...inserts, ...updates]) options.affectedBooks.add(row.bookId);
      if (usersCreated > 0) options.onUsersCreated?.(usersCreated);
    };
    return result;
  };
}
