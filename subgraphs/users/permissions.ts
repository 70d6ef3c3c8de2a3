import type { IRules } from "graphql-shield";
import { federationRules, isAdmin, isPublic, isReader, isSelf, isSelfOrAdmin } from "../../lib/auth/rules.ts";

/**
 * What of a reader is public (README "Security"): their profile name and join
 * date, ratings, reviews and follows, which they publish. Private to them and
 * administrators: email and demographics (age group, country, segment),
 * preferences, reading history and shelf; their feed is theirs alone. Every field
 * is listed: anything missing is denied (fallbackRule: deny).
 */

/** Mutations act as the signed-in reader; whose data they may touch is checked where the data is loaded. */
const READER_MUTATIONS = [
  "setPreferences",
  "rateBook",
  "removeRating",
  "writeReview",
  "editReview",
  "deleteReview",
  "startReading",
  "finishReading",
  "addToShelf",
  "removeFromShelf",
  "follow",
  "unfollow",
  "recordBookView",
  "signOut",
] as const;

export const permissions: IRules = {
  Query: { ...federationRules.Query, user: isPublic, me: isReader, apiKeys: isAdmin },
  Mutation: {
    ...Object.fromEntries(READER_MUTATIONS.map((name) => [name, isReader])),
    // How one becomes a reader in the first place.
    signUp: isPublic,
    signIn: isPublic,
    refreshSession: isPublic,
    createApiKey: isAdmin,
    revokeApiKey: isAdmin,
  },
  _Service: federationRules._Service,
  User: {
    id: isPublic,
    displayName: isPublic,
    registeredAt: isPublic,
    ratings: isPublic,
    reviews: isPublic,
    followers: isPublic,
    following: isPublic,
    email: isSelfOrAdmin,
    ageGroup: isSelfOrAdmin,
    country: isSelfOrAdmin,
    segment: isSelfOrAdmin,
    preferences: isSelfOrAdmin,
    readingHistory: isSelfOrAdmin,
    shelf: isSelfOrAdmin,
    feed: isSelf,
  },
  Book: isPublic,
  Genre: isPublic,
  Author: isPublic,
  Review: isPublic,
  Rating: isPublic,
  // Reached only through the private fields above, which guard them.
  Preferences: isPublic,
  GenrePreference: isPublic,
  AuthorPreference: isPublic,
  ReadingEntry: isPublic,
  ShelfEntry: isPublic,
  FeedItem: isPublic,
  // Reached only through admin-only fields and the sign-in mutations.
  ApiKey: isPublic,
  CreatedApiKey: isPublic,
  AuthPayload: isPublic,
  PageInfo: isPublic,
  RatingConnection: isPublic,
  RatingEdge: isPublic,
  ReviewConnection: isPublic,
  ReviewEdge: isPublic,
  ReadingEntryConnection: isPublic,
  ReadingEntryEdge: isPublic,
  ShelfConnection: isPublic,
  ShelfEdge: isPublic,
  UserConnection: isPublic,
  UserEdge: isPublic,
  FeedConnection: isPublic,
  FeedEdge: isPublic,
};
