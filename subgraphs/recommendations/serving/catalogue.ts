import { Prisma, type PrismaClient } from "../../../lib/db/database.ts";
import type { ScoredBook } from "../co-occurrence.ts";

export interface BookFacts {
  readonly title: string;
  readonly authorIds: readonly number[];
}

/** Titles and authors of the books reasons talk about. */
export async function bookFacts(prisma: PrismaClient, bookIds: readonly number[]): Promise<Map<number, BookFacts>> {
  if (bookIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ id: number; title: string; author_ids: number[] | null }[]>(Prisma.sql`
    SELECT b.id, b.title, (SELECT array_agg(ba.author_id ORDER BY ba.position) FROM book_authors ba WHERE ba.book_id = b.id) AS author_ids
    FROM books b WHERE b.id = ANY(${[...new Set(bookIds)]}::int[])`);
  return new Map(rows.map((row) => [row.id, { title: row.title, authorIds: row.author_ids ?? [] }]));
}

/** Titles and authors of the most-read books, up to `limit`: the catalogue serving holds in memory from its start. */
export async function catalogueFacts(prisma: PrismaClient, limit: number): Promise<Map<number, BookFacts>> {
  const rows = await prisma.$queryRaw<{ id: number; title: string; author_ids: number[] | null }[]>(Prisma.sql`
    SELECT b.id, b.title, (SELECT array_agg(ba.author_id ORDER BY ba.position) FROM book_authors ba WHERE ba.book_id = b.id) AS author_ids
    FROM books b ORDER BY b.ratings_count DESC, b.id LIMIT ${limit}`);
  return new Map(rows.map((row) => [row.id, { title: row.title, authorIds: row.author_ids ?? [] }]));
}

/**
 * Cold start: books in the genres the reader said they like, weighted by how much
 * they like each genre and how widely read the book is; with no stated
 * preferences, an empty list (popularity takes over).
 */
export async function booksForStatedPreferences(
  prisma: PrismaClient,
  userId: number,
  limit: number,
): Promise<(ScoredBook & { genre: string })[]> {
  const rows = await prisma.$queryRaw<{ book_id: number; strength: number; genre: string }[]>(Prisma.sql`
    WITH liked AS (
      SELECT genre_id, weight FROM user_genre_preferences WHERE user_id = ${userId} AND weight > 0
    ), candidates AS (
      SELECT bg.book_id, sum(liked.weight * bg.weight) * ln(2 + b.ratings_count) * greatest(b.average_rating, 1) AS strength,
             (array_agg(bg.genre_id ORDER BY liked.weight * bg.weight DESC))[1] AS top_genre
      FROM liked JOIN book_genres bg ON bg.genre_id = liked.genre_id JOIN books b ON b.id = bg.book_id
      WHERE NOT EXISTS (SELECT 1 FROM ratings own WHERE own.user_id = ${userId} AND own.book_id = bg.book_id)
      GROUP BY bg.book_id, b.ratings_count, b.average_rating
    )
    SELECT candidates.book_id, candidates.strength::float8 AS strength, g.name AS genre
    FROM candidates JOIN genres g ON g.id = candidates.top_genre
    ORDER BY candidates.strength DESC, candidates.book_id LIMIT ${limit}`);
  const top = rows[0]?.strength ?? 1;
  return rows.map((row) => ({ bookId: row.book_id, score: top > 0 ? row.strength / top : 0, genre: row.genre }));
}

/**
 * Books sharing the seed's authors (strongly) and genres (weighted): the content
 * neighbours of a book newer than the trained models, until it has interactions
 * and a retrained content model covers it.
 */
export async function booksSharingMetadata(
  prisma: PrismaClient,
  bookId: number,
  limit: number,
): Promise<(ScoredBook & { sameAuthor: boolean; genre: string | null })[]> {
  const rows = await prisma.$queryRaw<{ book_id: number; strength: number; same_author: boolean; genre: string | null }[]>(Prisma.sql`
    WITH by_author AS (
      SELECT other.book_id, 100.0::float8 AS strength, NULL::text AS genre
      FROM book_authors seed JOIN book_authors other ON other.author_id = seed.author_id AND other.book_id <> seed.book_id
      WHERE seed.book_id = ${bookId}
    ), by_genre AS (
      SELECT other.book_id, (seed.weight * other.weight)::float8 AS strength, g.name AS genre
      FROM book_genres seed
      JOIN book_genres other ON other.genre_id = seed.genre_id AND other.book_id <> seed.book_id
      JOIN genres g ON g.id = seed.genre_id
      WHERE seed.book_id = ${bookId}
    ), shared AS (SELECT * FROM by_author UNION ALL SELECT * FROM by_genre)
    SELECT shared.book_id, sum(shared.strength) * ln(2 + max(b.ratings_count)) AS strength,
           bool_or(shared.genre IS NULL) AS same_author,
           (array_agg(shared.genre ORDER BY shared.strength DESC) FILTER (WHERE shared.genre IS NOT NULL))[1] AS genre
    FROM shared JOIN books b ON b.id = shared.book_id
    GROUP BY shared.book_id
    ORDER BY strength DESC, shared.book_id
    LIMIT ${limit}`);
  const top = rows[0]?.strength ?? 1;
  return rows.map((row) => ({ bookId: row.book_id, score: top > 0 ? row.strength / top : 0, sameAuthor: row.same_author, genre: row.genre }));
}
