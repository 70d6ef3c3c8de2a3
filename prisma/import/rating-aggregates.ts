import type { Database } from "../../lib/db/database.ts";
import { inTransaction } from "../../lib/db/transaction.ts";

const BOOKS_PER_STATEMENT = 5000;

/**
 * Recomputes books.average_rating and ratings_count of `bookIds` from their
 * ratings, by the same definition as the users subgraph's per-rating refresh:
 * explicit ratings only (scale 0 is implicit interest), each brought to the
 * 5-star scale so Book-Crossing's 1-10 and Goodbooks' 1-5 mix.
 * A book whose figures did not change is not written. Returns how many changed.
 */
export async function recomputeRatingAggregates(db: Database, bookIds: Iterable<number>): Promise<number> {
  const ids = [...bookIds].sort((a, b) => a - b);
  let changed = 0;
  for (let start = 0; start < ids.length; start += BOOKS_PER_STATEMENT) {
    const chunk = ids.slice(start, start + BOOKS_PER_STATEMENT);
    const rows = await inTransaction(db, (connection) =>
      connection.query(
        `UPDATE books b SET average_rating = s.average_rating, ratings_count = s.ratings_count, updated_at = now()
         FROM (
           SELECT t.id,
                  coalesce(avg(r.rating * 5.0 / r.scale) FILTER (WHERE r.scale > 0), 0)::float8 AS average_rating,
                  (count(r.rating) FILTER (WHERE r.scale > 0))::int AS ratings_count
           FROM unnest($1::int[]) AS t(id) LEFT JOIN ratings r ON r.book_id = t.id
           GROUP BY t.id
         ) s
         WHERE b.id = s.id AND (b.average_rating, b.ratings_count) IS DISTINCT FROM (s.average_rating, s.ratings_count)
         RETURNING b.id`,
        [chunk],
      ),
    );
    changed += rows.length;
  }
  return changed;
}

/**
 * Every book that any run of this dataset's import has rated: the books rated by
 * the dataset's readers. An import that was interrupted after writing ratings but
 * before recomputing the aggregates leaves those books' figures stale; the run that
 * resumes it finds the ratings already stored (nothing to write) and would not
 * know to repair them. Recomputing over this set at the end of every run does,
 * and costs little: unchanged books are not written.
 */
export async function booksRatedByDataset(db: Database, userSource: string): Promise<Set<number>> {
  const rows = await db.withConnection((connection) =>
    connection.query<{ book_id: number }>(
      "SELECT DISTINCT r.book_id FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.source = $1",
      [userSource],
    ),
  );
  return new Set(rows.map((row) => row.book_id));
}
