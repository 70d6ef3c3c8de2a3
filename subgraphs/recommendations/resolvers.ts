import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parseId, parseLimit } from "../../lib/graphql/arguments.ts";
import { booksForUser, MAX_NEIGHBOURS, popularBooksForUser } from "./co-occurrence.ts";
import type { RecommendationsContext } from "./context.ts";

type EntityReference = { id: string };
type Entity = { id: number };

const limitOf = (limit: number | null | undefined) => parseLimit(limit, { fallback: 10, max: MAX_NEIGHBOURS });
const bookReference = (bookId: number) => ({ __typename: "Book", id: String(bookId) });

export const resolvers: GraphQLResolverMap<RecommendationsContext> = {
  Book: {
    __resolveReference: (reference: EntityReference): Entity => ({ id: parseId(reference.id) }),
    async similar(book: Entity, args: { limit?: number | null }, context) {
      const limit = limitOf(args.limit);
      const neighbours = await context.loaders.similarByBookId.load(book.id);
      return neighbours.slice(0, limit).map((neighbour) => ({ book: bookReference(neighbour.bookId), score: neighbour.score }));
    },
  },
  User: {
    __resolveReference: (reference: EntityReference): Entity => ({ id: parseId(reference.id) }),
    async recommendations(user: Entity, args: { limit?: number | null }, context) {
      const limit = limitOf(args.limit);
      if (limit === 0) return [];
      const prisma = context.runtime.db.prisma;
      const personal = await booksForUser(prisma, user.id, limit);
      const source = personal.length > 0 ? "CO_OCCURRENCE" : "POPULARITY";
      const picks = personal.length > 0 ? personal : await popularBooksForUser(prisma, user.id, limit);
      return picks.map((pick) => ({ book: bookReference(pick.bookId), score: pick.score, source }));
    },
  },
};
