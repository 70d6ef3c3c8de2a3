/**
 * (user, book) style pairs of int4 ids as one number, for compact sets of what a
 * run has seen: 2^31 * 2^21 stays below 2^53 for book ids under two million, and
 * beyond that the key falls back to a string.
 */
const BOOK_ID_LIMIT = 2 ** 21;

export function pairKey(first: number, second: number): number | string {
  return second < BOOK_ID_LIMIT ? first * BOOK_ID_LIMIT + second : `${first}:${second}`;
}
