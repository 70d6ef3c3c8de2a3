import { isAdmin } from "../../lib/auth/viewer.ts";
import type { Prisma, Review } from "../../lib/db/database.ts";
import { conflict, forbidden, notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { mutateWithInteractions } from "./interactions.ts";
import { upsertRating } from "./ratings.ts";
import { lockBook, lockUser } from "./row-locks.ts";
import { parseReviewText, parseStars } from "./validation.ts";
import { requireViewer } from "./viewer.ts";

interface ReviewInput {
  text: string;
  rating?: number | null;
}

function parseReviewInput(args: ReviewInput): { text: string; stars: number | null } {
  const text = parseReviewText(args.text);
  const stars = args.rating === null || args.rating === undefined ? null : parseStars(args.rating);
  return { text, stars };
}

export const reviewMutations = {
  /** One review per user and book; its stars also rate the book, as readers expect. */
  async writeReview(_parent: unknown, args: { bookId: string } & ReviewInput, context: UsersContext): Promise<Review> {
    const bookId = parseId(args.bookId, "bookId");
    const { text, stars } = parseReviewInput(args);
    const userId = requireViewer(context).userId;
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, userId);
      // A rating change row-locks the book; taken first, before the review's foreign key
      // share-locks it, so two reviewers of one book cannot deadlock upgrading their locks.
      await lockBook(tx, bookId, { forRatingChange: stars !== null });
      const existing = await tx.review.findUnique({ where: { userId_bookId: { userId, bookId } }, select: { id: true } });
      if (existing) throw conflict(`You already reviewed this book: edit review ${existing.id} instead`);
      const review = await tx.review.create({ data: { userId, bookId, text, rating: stars } });
      await interactions.record(userId, bookId, "REVIEW", stars, review.id);
      if (stars !== null) await upsertRating(tx, userId, bookId, stars, interactions);
      return review;
    });
  },

  async editReview(_parent: unknown, args: { id: string } & ReviewInput, context: UsersContext): Promise<Review> {
    const id = parseId(args.id);
    const { text, stars } = parseReviewInput(args);
    const viewer = requireViewer(context);
    return mutateWithInteractions(context, async (tx, interactions) => {
      await lockUser(tx, viewer.userId);
      const review = await lockOwnReview(tx, id, context);
      if (stars !== null) {
        // An administrator's correction is not the author's interest in the book.
        const byAuthor = review.userId === viewer.userId;
        await upsertRating(tx, review.userId, review.bookId, stars, byAuthor ? interactions : undefined);
      }
      return tx.review.update({ where: { id }, data: { text, ...(stars === null ? {} : { rating: stars }) } });
    });
  },

  async deleteReview(_parent: unknown, args: { id: string }, context: UsersContext): Promise<boolean> {
    const id = parseId(args.id);
    const viewer = requireViewer(context);
    return mutateWithInteractions(context, async (tx) => {
      await lockUser(tx, viewer.userId);
      await lockOwnReview(tx, id, context);
      await tx.review.delete({ where: { id } });
      return true;
    });
  },
};

/** The review, locked for change, if the viewer may change it: its author, or an administrator. */
async function lockOwnReview(tx: Prisma.TransactionClient, id: number, context: UsersContext): Promise<Review> {
  const [review] = await tx.$queryRaw<Review[]>`
    SELECT id, user_id AS "userId", book_id AS "bookId", text, rating, created_at AS "createdAt", updated_at AS "updatedAt"
      FROM reviews WHERE id = ${id} FOR UPDATE`;
  if (!review) throw notFound("Review", id);
  const viewer = requireViewer(context);
  if (review.userId !== viewer.userId && !isAdmin(viewer)) throw forbidden("Only the review's author and administrators can change it");
  return review;
}

