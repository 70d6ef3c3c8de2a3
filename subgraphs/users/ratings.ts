import type { Prisma, Rating } from "../../lib/db/database.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { mutateWithInteractions, type InteractionLog } from "./interactions.ts";
import { relearnPreferences } from "../../lib/preferences/learnt-preferences.ts";
import { refreshRatingAggregates } from "./rating-aggregates.ts";
import { lockBook, lockUser } from "./row-locks.ts";
import { parseStars } from "./validation.ts";
import { requireViewer } from "./viewer.ts";

const STAR_SCALE = 5;

/**
 * Sets a user's star rating of a book, with the book's aggregates in the same
 * transaction. The rater's own rating goes out as an interaction, and the
 * preferences consumer of the stream relearns their preferences from it;
 * `interactions` is omitted when the change is not the rater's own act (an admin
 * edit), which has no event, so the preferences are relearnt here.
 */
export async function upsertRating(
  tx: Prisma.TransactionClient,
  userId: number,
  bookId: number,
  stars: number,
  interactions?: InteractionLog,
): Promise<Rating> {
  await lockBook(tx, bookId, { forRatingChange: true });
  const rating = await tx.rating.upsert({
    where: { userId_bookId: { userId, bookId } },
    create: { userId, bookId, rating: stars, scale: STAR_SCALE },
    update: { rating: stars, scale: STAR_SCALE },
  });
  await refreshRatingAggregates(tx, bookId);
  if (interactions) await interactions.record(userId, bookId, "RATE", stars);
  else await relearnPreferences(tx, userId);
  return rating;
}

export const ratingMutations = {
  async rateBook(_parent: unknown, args: { bookId: string; rating: number }, context: UsersContext): Promise<Rating> {
    const bookId = parseId(args.bookId, "bookId");
    const stars = parseStars(args.rating);
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      return upsertRating(tx, userId, bookId, stars, interactions);
    });
  },

  async removeRating(_parent: unknown, args: { bookId: string }, context: UsersContext): Promise<boolean> {
    const bookId = parseId(args.bookId, "bookId");
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx) => {
      await lockUser(tx, userId);
      await lockBook(tx, bookId, { forRatingChange: true });
      const { count } = await tx.rating.deleteMany({ where: { userId, bookId } });
      if (count === 0) return false;
      await refreshRatingAggregates(tx, bookId);
      await relearnPreferences(tx, userId);
      return true;
    });
  },
};
