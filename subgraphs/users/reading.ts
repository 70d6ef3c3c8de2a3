import type { ReadingEntry } from "../../lib/db/database.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { mutateWithInteractions } from "./interactions.ts";
import { lockBook, lockUser } from "./row-locks.ts";
import { requireViewer } from "./viewer.ts";

export const readingMutations = {
  /** Idempotent: a book already being read keeps its entry and records nothing new. */
  async startReading(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<ReadingEntry> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      await lockBook(tx, bookId);
      const current = await tx.readingEntry.findFirst({ where: { userId, bookId, status: "READING" }, orderBy: { startedAt: "desc" } });
      if (current) return current;
      const entry = await tx.readingEntry.create({ data: { userId, bookId, status: "READING" } });
      await interactions.record(userId, bookId, "START_READING");
      return entry;
    });
  },

  /** Finishes the open entry; a book read before joining (no open entry) gets a finished one. */
  async finishReading(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<ReadingEntry> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      await lockBook(tx, bookId);
      const now = new Date();
      const current = await tx.readingEntry.findFirst({ where: { userId, bookId, status: "READING" }, orderBy: { startedAt: "desc" } });
      const entry = current
        ? await tx.readingEntry.update({ where: { id: current.id }, data: { status: "FINISHED", finishedAt: now } })
        : await tx.readingEntry.create({ data: { userId, bookId, status: "FINISHED", startedAt: now, finishedAt: now } });
      await interactions.record(userId, bookId, "FINISH_READING");
      return entry;
    });
  },
};
