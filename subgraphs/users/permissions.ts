import { rule, type IRules } from "graphql-shield";
import { isAuthenticated, isSelfOrAdmin } from "../../lib/auth/rules.ts";
import { forbidden, unauthenticated } from "../../lib/errors.ts";
import type { RequestContext } from "../../lib/server/context.ts";

/** For fields of a User that only the user themself may see, not even administrators (their feed). */
const isSelf = rule({ cache: "strict" })(async (parent: { id: number | string }, _args, context: RequestContext) => {
  if (!context.viewer) return unauthenticated();
  return Number(parent.id) === context.viewer.userId || forbidden("Only this user can see this");
});

/** Mutations act as the signed-in user; whose data they may touch is checked where the data is loaded. */
const MUTATIONS = [
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
  "deleteMyAccount",
] as const;

export const permissions: IRules = {
  Query: { me: isAuthenticated, exportMyData: isAuthenticated },
  Mutation: Object.fromEntries(MUTATIONS.map((name) => [name, isAuthenticated])),
  User: {
    email: isSelfOrAdmin,
    preferences: isSelfOrAdmin,
    readingHistory: isSelfOrAdmin,
    shelf: isSelfOrAdmin,
    feed: isSelf,
  },
};
