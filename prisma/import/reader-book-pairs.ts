import type { SqlConnection } from "../../lib/db/database.ts";
import type { BatchResult, Located } from "./batch.ts";
import type { BookResolver } from "./book-resolvers.ts";
import { pairKey } from "./pair-keys.ts";
import { ensureUsers, type UserSource } from "./users-writer.ts";

/** A row that ties a reader to a book (a rating, a shelf entry), by the dataset's own ids. */
export interface ReaderBookRecord extends Located {
  readonly userExternalId: string;
  readonly bookExternalId: string;
  readonly createdAt: number;
}

export interface ReaderBookPair<R> {
  readonly userId: number;
  readonly bookId: number;
  readonly record: R;
}

export interface ReaderBookPairsOptions<R> {
  readonly users: UserSource;
  readonly books: BookResolver;
  /** First line of every pair already written this run. */
  readonly firstLineOf: Map<number | string, number>;
  /** The issue reported for a pair seen before, at `firstLine`. */
  describeDuplicate(record: R, firstLine: number): string;
}

/**
 * Resolves a batch to database (user, book) pairs: a row of an unknown book is
 * skipped, readers are created on first sight (registered at their first row), and
 * a pair seen earlier in the run or the batch is reported as a duplicate, so the
 * first row in file order wins and a re-run cannot flip between them. Issues go to
 * `result`; `remember()` records the batch's pairs once it has committed.
 */
export async function resolveReaderBookPairs<R extends ReaderBookRecord>(
  connection: SqlConnection,
  records: readonly R[],
  result: BatchResult,
  options: ReaderBookPairsOptions<R>,
): Promise<{ pairs: ReaderBookPair<R>[]; usersCreated: number; remember(): void }> {
  const bookIds = await options.books(connection, records.map((record) => record.bookExternalId));
  const known = records.filter((record) => {
    if (bookIds.has(record.bookExternalId)) return true;
    result.issues.push({ line: record.line, reason: `unknown book: ${record.bookExternalId}` });
    return false;
  });
  const firstSeen = new Map<string, number>();
  for (const record of known) if (!firstSeen.has(record.userExternalId)) firstSeen.set(record.userExternalId, record.createdAt);
  const { ids: userIds, created } = await ensureUsers(connection, options.users, firstSeen.keys(), (externalId) => ({
    registeredAt: firstSeen.get(externalId)!,
  }));

  const batchLines = new Map<number | string, number>();
  const pairs: ReaderBookPair<R>[] = [];
  for (const record of known) {
    const userId = userIds.get(record.userExternalId)!;
    const bookId = bookIds.get(record.bookExternalId)!;
    const key = pairKey(userId, bookId);
    const first = options.firstLineOf.get(key) ?? batchLines.get(key);
    if (first !== undefined) {
      result.issues.push({ line: record.line, reason: options.describeDuplicate(record, first) });
      continue;
    }
    batchLines.set(key, record.line);
    pairs.push({ userId, bookId, record });
  }
  return {
    pairs,
    usersCreated: created.size,
    remember() {
      for (const [key, line] of batchLines) options.firstLineOf.set(key, line);
    },
  };
}
