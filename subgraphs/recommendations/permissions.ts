import { allow, type IRules } from "graphql-shield";
import { isSelfOrAdmin } from "../../lib/auth/rules.ts";

/**
 * What a user is recommended reveals their ratings, so only they (or an admin) may
 * see it. Book.score and Query.recommendations check the reader inside the resolver
 * (their userId is an optional argument defaulting to the viewer).
 */
export const permissions: IRules = {
  User: { recommendations: isSelfOrAdmin },
  // Which experiment arm served a list the requester was allowed to see.
  Recommendation: { listId: allow, experiment: allow, variant: allow },
  Experiment: { key: allow },
};
