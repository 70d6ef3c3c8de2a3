import type { Prisma } from "../db/database.ts";

/** How many genres and authors are learnt per user. */
export const LEARNT_PREFERENCES_LIMIT = 10;

/**
 * Recomputes a user's learnt preferences: the genres and authors of the books they
 * rated 4 or 5 stars (on the 5-star scale), weighted by the share of those books in
 * each, strongest first. Stated preferences win: a genre the user chose stays STATED.
 */
export async function relearnPreferences(tx: Prisma.TransactionClient, userId: number): Promise<void> {
  await tx.$executeRaw`DELETE FROM user_genre_preferences WHERE user_id = ${userId} AND origin = 'LEARNT'`;
  await tx.$executeRaw`
    WITH liked AS (
      SELECT book_id FROM ratings WHERE user_id = ${userId} AND scale > 0 AND rating * 5.0 / scale >= 4
    )
    INSERT INTO user_genre_preferences (user_id, genre_id, weight, origin, updated_at)
    SELECT ${userId}, bg.genre_id, count(*)::float8 / (SELECT count(*) FROM liked), 'LEARNT', now()
      FROM liked JOIN book_genres AS bg ON bg.book_id = liked.book_id
     GROUP BY bg.genre_id
     ORDER BY count(*) DESC, bg.genre_id
     LIMIT ${LEARNT_PREFERENCES_LIMIT}
    ON CONFLICT (user_id, genre_id) DO NOTHING`;
  await tx.$executeRaw`DELETE FROM user_author_preferences WHERE user_id = ${userId} AND origin = 'LEARNT'`;
  await tx.$executeRaw`
    WITH liked AS (
      SELECT book_id FROM ratings WHERE user_id = ${userId} AND scale > 0 AND rating * 5.0 / scale >= 4
    )
    INSERT INTO user_author_preferences (user_id, author_id, weight, origin, updated_at)
    SELECT ${userId}, ba.author_id, count(*)::float8 / (SELECT count(*) FROM liked), 'LEARNT', now()
      FROM liked JOIN book_authors AS ba ON ba.book_id = liked.book_id
     GROUP BY ba.author_id
     ORDER BY count(*) DESC, ba.author_id
     LIMIT ${LEARNT_PREFERENCES_LIMIT}
    ON CONFLICT (user_id, author_id) DO NOTHING`;
}
