import type { Database } from "../../lib/db/database.ts";

/**
 * What an import produced, by the datasets' own keys (not serial ids or write
 * times, which legitimately differ between two databases): books with their
 * aggregates, readers, ratings. Two imports of the same files must give equal values.
 */
export async function importedContent(db: Database) {
  return db.withConnection(async (connection) => ({
    books: await connection.query<{ external_id: string; title: string; average_rating: number; ratings_count: number }>(
      "SELECT external_id, title, round(average_rating::numeric, 9)::float8 AS average_rating, ratings_count FROM books ORDER BY source, external_id",
    ),
    users: await connection.query<{ external_id: string; display_name: string }>("SELECT external_id, display_name FROM users ORDER BY source, external_id"),
    ratings: await connection.query<{ user: string; book: string; rating: number; scale: number; created_at: string }>(
      `SELECT u.external_id AS user, b.external_id AS book, r.rating, r.scale, r.created_at::text AS created_at
       FROM ratings r JOIN users u ON u.id = r.user_id JOIN books b ON b.id = r.book_id
       ORDER BY u.source, u.external_id, b.source, b.external_id`,
    ),
  }));
}
