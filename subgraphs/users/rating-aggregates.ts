import type { Prisma } from "../../lib/db/database.ts";

/**
 * books.average_rating / ratings_count recomputed from the book's ratings, inside
 * the transaction that changed them, under the book's row lock (see lockBook):
 * exact, never drifting like incremental arithmetic would. Explicit ratings only,
 * each brought to the 5-star scale (Book-Crossing rates out of 10; scale 0 is implicit).
 */
export async function refreshRatingAggregates(tx: Prisma.TransactionClient, bookId: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE books AS b
       SET average_rating = a.average, ratings_count = a.total
      FROM (SELECT COALESCE(avg(rating * 5.0 / scale), 0)::float8 AS average, count(*)::int AS total
              FROM ratings WHERE book_id = ${bookId} AND scale > 0) AS a
     WHERE b.id = ${bookId}`;
}
