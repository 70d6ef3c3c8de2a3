import type { User } from "../../lib/db/database.ts";
import { badUserInput, notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { lockUser } from "./row-locks.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { requireViewer } from "./viewer.ts";

export const socialMutations = {
  /** Idempotent; returns the followed user. */
  async follow(_parent: unknown, args: { userId: string }, context: UsersContext): Promise<User> {
    const followeeId = parseId(args.userId, "userId");
    const followerId = requireViewer(context).userId;
    if (followeeId === followerId) throw badUserInput("You cannot follow yourself", "userId");
    return inPrismaTransaction(context.runtime.db.prisma, async (tx) => {
      await lockUser(tx, followerId);
      const followee = await tx.user.findUnique({ where: { id: followeeId } });
      if (!followee) throw notFound("User", followeeId);
      await tx.follow.createMany({ data: [{ followerId, followeeId }], skipDuplicates: true });
      return followee;
    });
  },

  async unfollow(_parent: unknown, args: { userId: string }, context: UsersContext): Promise<boolean> {
    const followeeId = parseId(args.userId, "userId");
    const followerId = requireViewer(context).userId;
    const { count } = await context.runtime.db.prisma.follow.deleteMany({ where: { followerId, followeeId } });
    return count > 0;
  },
};
