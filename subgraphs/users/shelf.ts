import type { Bookmark } from "../../lib/db/database.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { mutateWithInteractions } from "./interactions.ts";
import { lockBook, lockUser } from "./row-locks.ts";
import { requireViewer } from "./viewer.ts";

export const shelfMutations = {
  /** Idempotent: shelving a shelved book keeps its date and records nothing new. */
  async addToShelf(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<Bookmark> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      await lockBook(tx, bookId);
      const existing = await tx.bookmark.findUnique({ where: { userId_bookId: { userId, bookId } } });
      if (existing) return existing;
      const bookmark = await tx.bookmark.create({ data: { userId, bookId } });
      await interactions.record(userId, bookId, "SHELVE");
      return bookmark;
    });
  },

  async removeFromShelf(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<boolean> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    const { count } = await context.runtime.db.prisma.bookmark.deleteMany({ where: { userId, bookId } });
    return count > 0;
  },
};
