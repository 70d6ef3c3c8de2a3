import type { GraphQLResolverMap } from "../../lib/graphql/resolver-map.ts";
import { DateTimeResolver } from "graphql-scalars";
import type { Bookmark, Follow, Rating, ReadingEntry, Review, User, UserAuthorPreference, UserGenrePreference } from "../../lib/db/database.ts";
import { notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { Connection } from "../../lib/graphql/cursor.ts";
import { accountMutations } from "./accounts/account-mutations.ts";
import { apiKeyMutations, apiKeyQueries } from "./api-keys/api-keys.ts";
import type { UsersContext } from "./context.ts";
import { loadFeed, type FeedItem } from "./feed.ts";
import type { PageArgs } from "./paged-relation.ts";
import { loadPreferences, preferenceMutations } from "./preferences.ts";
import { ratingMutations } from "./ratings.ts";
import { readingMutations } from "./reading.ts";
import { reviewMutations } from "./reviews.ts";
import { shelfMutations } from "./shelf.ts";
import { socialMutations } from "./social.ts";
import { requireViewer } from "./viewer.ts";
import { viewMutations } from "./views.ts";

/** Entities owned by other subgraphs are returned as references; the gateway fetches their fields. */
const bookReference = (id: number) => ({ __typename: "Book", id });

async function existingUser(id: number, context: UsersContext): Promise<User> {
  const user = await context.loaders.userById.load(id);
  if (!user) throw notFound("User", id);
  return user;
}

/** Follow edges lead to users; the connection keeps the follow's cursor. */
async function usersOf(connection: Connection<Follow>, side: "followerId" | "followeeId", context: UsersContext) {
  const edges = await Promise.all(
    connection.edges.map(async (edge) => ({ cursor: edge.cursor, node: await existingUser(edge.node[side], context) })),
  );
  return { ...connection, edges };
}

export const resolvers: GraphQLResolverMap<UsersContext> = {
  DateTime: DateTimeResolver as never,
  Query: {
    user: (_parent, args: { id: string }, context) => existingUser(parseId(args.id), context),
    // A token of a deleted user finds nobody.
    me: (_parent, _args, context) => existingUser(requireViewer(context).userId, context),
    ...apiKeyQueries,
    review: async (_parent, args: { id: string }, context) => {
      const id = parseId(args.id);
      const review = await context.loaders.reviewById.load(id);
      if (!review) throw notFound("Review", id);
      return review;
    },
  },
  Mutation: {
    ...preferenceMutations,
    ...ratingMutations,
    ...reviewMutations,
    ...readingMutations,
    ...shelfMutations,
    ...socialMutations,
    ...viewMutations,
    ...accountMutations,
    ...apiKeyMutations,
  },
  AuthPayload: {
    user: (payload: { user: { id: number } }, _args, context) => existingUser(payload.user.id, context),
  },
  User: {
    __resolveReference: (reference: { id: string }, context: UsersContext) => context.loaders.userById.load(parseId(reference.id)),
    preferences: (user: User, _args, context) => loadPreferences(user.id, context),
    ratings: (user: User, args: PageArgs, context) => context.loaders.ratingsByUser(user.id, args),
    reviews: (user: User, args: PageArgs, context) => context.loaders.reviewsByUser(user.id, args),
    readingHistory: (user: User, args: PageArgs, context) => context.loaders.readingHistoryOfUser(user.id, args),
    shelf: (user: User, args: PageArgs, context) => context.loaders.shelfOfUser(user.id, args),
    followers: async (user: User, args: PageArgs, context) =>
      usersOf(await context.loaders.followersOfUser(user.id, args), "followerId", context),
    following: async (user: User, args: PageArgs, context) =>
      usersOf(await context.loaders.followedByUser(user.id, args), "followeeId", context),
    feed: (user: User, args: PageArgs, context) => loadFeed(context.runtime.db.prisma, user.id, args),
  },
  Book: {
    __resolveReference: (reference: { id: string }) => ({ id: parseId(reference.id) }),
    reviews: (book: { id: number }, args: PageArgs, context) => context.loaders.reviewsOfBook(book.id, args),
  },
  Review: {
    __resolveReference: (reference: { id: string }, context: UsersContext) => context.loaders.reviewById.load(parseId(reference.id)),
    author: (review: Review, _args, context) => existingUser(review.userId, context),
    book: (review: Review) => bookReference(review.bookId),
  },
  Rating: {
    user: (rating: Rating, _args, context) => existingUser(rating.userId, context),
    book: (rating: Rating) => bookReference(rating.bookId),
    ratedAt: (rating: Rating) => rating.createdAt,
  },
  ReadingEntry: {
    book: (entry: ReadingEntry) => bookReference(entry.bookId),
  },
  ShelfEntry: {
    book: (bookmark: Bookmark) => bookReference(bookmark.bookId),
    addedAt: (bookmark: Bookmark) => bookmark.createdAt,
  },
  GenrePreference: {
    genre: (preference: UserGenrePreference) => ({ __typename: "Genre", id: preference.genreId }),
  },
  AuthorPreference: {
    author: (preference: UserAuthorPreference) => ({ __typename: "Author", id: preference.authorId }),
  },
  FeedItem: {
    user: (item: FeedItem, _args, context) => existingUser(item.userId, context),
    book: (item: FeedItem) => bookReference(item.bookId),
    review: (item: FeedItem, _args, context) => (item.reviewId === null ? null : context.loaders.reviewById.load(item.reviewId)),
  },
};
