import type { IRules } from "graphql-shield";
import { federationRules, isPublic, isReader, isSelfOrAdmin } from "../../lib/auth/rules.ts";

/**
 * What a reader is recommended reveals more than their public ratings: it is also
 * derived from what they viewed, shelved and read, which are private. So a
 * reader's recommendations and scores are for them (or an admin) only, while lists
 * seeded by a book and trending lists are public. Book.score, Book.prediction and
 * Query.recommendations take an optional userId (defaulting to the reader) and
 * check it in the resolver. Every field is listed: anything missing is denied.
 */
export const permissions: IRules = {
  Query: { ...federationRules.Query, book: isPublic, recommendations: isPublic, trendingBooks: isPublic },
  _Service: federationRules._Service,
  // Served by the gateway's own subscription server, which checks the reader of recommendationsUpdated.
  Subscription: { trendingChanged: isPublic, recommendationsUpdated: isReader },
  TrendingUpdate: isPublic,
  Book: { id: isPublic, title: isPublic, similar: isPublic, score: isReader, prediction: isReader },
  // Reached only through Book.prediction, which checks the reader.
  Prediction: isPublic,
  User: { id: isPublic, recommendations: isSelfOrAdmin },
  // Including which experiment arm served a list the requester was allowed to see.
  Recommendation: isPublic,
  TrendingBook: isPublic,
  Experiment: { key: isPublic },
};
