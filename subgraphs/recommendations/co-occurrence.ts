import { Prisma, type PrismaClient } from "../../lib/db/database.ts";

/**
 * Item-to-item similarity straight from the ratings table: cosine over the sets of
 * users who liked (4+ stars) each book. It is the model-free baseline the trained
 * models replace, and what serves when no model is available.
 */
export const LIKED_THRESHOLD = 4;
export const MAX_NEIGHBOURS = 50;

export interface ScoredBook {
  bookId: number;
  score: number;
}

export async function similarBooks(prisma: PrismaClient, bookIds: readonly number[]): Promise<Map<number, ScoredBook[]>> {
  const rows = await prisma.$queryRaw<{ seed: number; other: number; score: number }[]>(Prisma.sql`
    WITH pairs AS (
      SELECT liked.book_id AS seed, also.book_id AS other, count(*)::float8 AS together
      FROM ratings liked
      JOIN ratings also ON also.user_id = liked.user_id AND also.book_id <> liked.book_id AND also.rating >= ${LIKED_THRESHOLD}
      WHERE liked.book_id = ANY(${[...bookIds]}::int[]) AND liked.rating >= ${LIKED_THRESHOLD}
      GROUP BY 1, 2
    ), ranked AS (
      SELECT pairs.seed, pairs.other,
             pairs.together / sqrt(greatest(seed_book.ratings_count, 1)::float8 * greatest(other_book.ratings_count, 1)::float8) AS score
      FROM pairs
      JOIN books seed_book ON seed_book.id = pairs.seed
      JOIN books other_book ON other_book.id = pairs.other
    )
    SELECT seed, other, score FROM (
      SELECT seed, other, score, row_number() OVER (PARTITION BY seed ORDER BY score DESC, other) AS rank FROM ranked
    ) top WHERE rank <= ${MAX_NEIGHBOURS}
    ORDER BY seed, rank`);
  const bySeed = new Map<number, ScoredBook[]>(bookIds.map((id) => [id, []]));
  for (const row of rows) bySeed.get(row.seed)?.push({ bookId: row.other, score: Math.min(1, row.score) });
  return bySeed;
}

/** Neighbours of the user's most recent liked books, summed, excluding what they already rated. */
export async function booksForUser(prisma: PrismaClient, userId: number, limit: number): Promise<ScoredBook[]> {
  const rows = await prisma.$queryRaw<{ book_id: number; strength: number }[]>(Prisma.sql`
    WITH liked AS (
      SELECT book_id FROM ratings
      WHERE user_id = ${userId} AND rating >= ${LIKED_THRESHOLD}
      ORDER BY created_at DESC LIMIT 20
    ), neighbours AS (
      SELECT also.book_id, count(*)::float8 AS together
      FROM ratings fan
      JOIN ratings also ON also.user_id = fan.user_id AND also.rating >= ${LIKED_THRESHOLD}
      WHERE fan.book_id IN (SELECT book_id FROM liked) AND fan.rating >= ${LIKED_THRESHOLD} AND fan.user_id <> ${userId}
      GROUP BY also.book_id
    )
    SELECT neighbours.book_id, neighbours.together / sqrt(greatest(books.ratings_count, 1)::float8) AS strength
    FROM neighbours JOIN books ON books.id = neighbours.book_id
    WHERE NOT EXISTS (SELECT 1 FROM ratings own WHERE own.user_id = ${userId} AND own.book_id = neighbours.book_id)
    ORDER BY strength DESC, neighbours.book_id
    LIMIT ${limit}`);
  const strongest = rows[0]?.strength ?? 1;
  return rows.map((row) => ({ bookId: row.book_id, score: row.strength / strongest }));
}

/** Most rated books the user has not rated: the cold-start answer. */
export async function popularBooksForUser(prisma: PrismaClient, userId: number | null, limit: number): Promise<ScoredBook[]> {
  const rows = await prisma.$queryRaw<{ id: number; ratings_count: number }[]>(Prisma.sql`
    SELECT id, ratings_count FROM books
    WHERE ${userId}::int IS NULL OR NOT EXISTS (SELECT 1 FROM ratings own WHERE own.user_id = ${userId}::int AND own.book_id = books.id)
    ORDER BY ratings_count DESC, id
    LIMIT ${limit}`);
  const top = Math.max(rows[0]?.ratings_count ?? 1, 1);
  return rows.map((row) => ({ bookId: row.id, score: row.ratings_count / top }));
}
