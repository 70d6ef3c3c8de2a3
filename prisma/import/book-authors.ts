import type { SqlConnection } from "../../lib/db/database.ts";
import { idsByName } from "./named-rows.ts";

/** The credited authors of existing books, in order of credit. */
export async function authorsOfBooks(connection: SqlConnection, bookIds: readonly number[]): Promise<Map<number, string[]>> {
  const authors = new Map<number, string[]>();
  if (bookIds.length === 0) return authors;
  const rows = await connection.query<{ book_id: number; name: string }>(
    `SELECT ba.book_id, a.name FROM book_authors ba JOIN authors a ON a.id = ba.author_id
     WHERE ba.book_id = ANY($1::int[]) ORDER BY ba.book_id, ba.position`,
    [bookIds],
  );
  for (const row of rows) {
    const list = authors.get(row.book_id) ?? [];
    list.push(row.name);
    authors.set(row.book_id, list);
  }
  return authors;
}

/** Replaces the author credits of `books` (a book absent from the map keeps its credits). */
export async function setBookAuthors(connection: SqlConnection, books: ReadonlyMap<number, readonly string[]>): Promise<void> {
  if (books.size === 0) return;
  const authorIds = await idsByName(connection, "authors", [...books.values()].flat());
  const bookIds: number[] = [];
  const linkBook: number[] = [];
  const linkAuthor: number[] = [];
  const linkPosition: number[] = [];
  for (const [bookId, names] of books) {
    bookIds.push(bookId);
    names.forEach((name, position) => {
      linkBook.push(bookId);
      linkAuthor.push(authorIds.get(name)!);
      linkPosition.push(position);
    });
  }
  await connection.query("DELETE FROM book_authors WHERE book_id = ANY($1::int[])", [bookIds]);
  await connection.query(
    `INSERT INTO book_authors (book_id, author_id, position)
     SELECT * FROM unnest($1::int[], $2::int[], $3::int[])`,
    [linkBook, linkAuthor, linkPosition],
  );
}

/** Author names as a reader credits them: trimmed, blanks and repeats left out, order kept. */
export function creditedAuthors(names: Iterable<string>): string[] {
  const seen = new Set<string>();
  const authors: string[] = [];
  for (const raw of names) {
    const name = raw.replace(/\s+/g, " ").trim();
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    authors.push(name);
  }
  return authors;
}
