import { Prisma } from "../../lib/db/database.ts";
import { notFound } from "../../lib/errors.ts";

type Transaction = Prisma.TransactionClient;

/**
 * Locks the acting user's row for the transaction. A user's own changes then run
 * one after another, which closes check-then-insert races (two "start reading" of
 * the same book, a review written twice), and a token of a deleted user is a
 * NOT_FOUND rather than a foreign-key failure. NO KEY UPDATE does not block
 * inserts that merely reference the user (their key-share locks do not conflict).
 */
export async function lockUser(tx: Transaction, userId: number): Promise<void> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM users WHERE id = ${userId} FOR NO KEY UPDATE`;
  if (rows.length === 0) throw notFound("User", userId);
}

/**
 * Makes sure a book exists and stays for the transaction. `forRatingChange` takes
 * the row lock instead: rating changes of one book then serialise, so each one
 * recomputes the book's aggregates seeing every committed rating before it.
 */
export async function lockBook(tx: Transaction, bookId: number, options: { forRatingChange?: boolean } = {}): Promise<void> {
  const mode = Prisma.raw(options.forRatingChange ? "FOR UPDATE" : "FOR KEY SHARE");
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM books WHERE id = ${bookId} ${mode}`;
  if (rows.length === 0) throw notFound("Book", bookId);
}
