import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { mutateWithInteractions } from "./interactions.ts";
import { lockBook, lockUser } from "./row-locks.ts";
import { requireViewer } from "./viewer.ts";

/** Looking at a book is the weakest signal of interest, and the most frequent one. */
export const viewMutations = {
  async recordBookView(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<boolean> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      await lockBook(tx, bookId);
      await interactions.record(userId, bookId, "VIEW");
      return true;
    });
  },
};
