import { doNotCache } from "../../lib/graphql/cache-hint.ts";
import type { GraphQLResolverMap } from "../../lib/graphql/resolver-map.ts";
import { badUserInput, forbidden, notFound, unauthenticated } from "../../lib/errors.ts";
import { parseId, parseLimit } from "../../lib/graphql/arguments.ts";
import type { RecommendationsContext } from "./context.ts";
import type { TrendingWindow } from "../../lib/events/trending-changed.ts";
import { LIST_LENGTH } from "./serving/served-list.ts";
import type { DeliveredList, Strategy } from "./serving/served-list.ts";

type EntityReference = { id: string };
type Entity = { id: number };

const limitOf = (limit: number | null | undefined) => parseLimit(limit, { fallback: 10, max: LIST_LENGTH });
const bookReference = (bookId: number) => ({ __typename: "Book", id: String(bookId) });

function present(list: DeliveredList, limit: number) {
  const experiment = list.experiment === null ? null : { __typename: "Experiment", key: list.experiment };
  return list.items.slice(0, limit).map((item) => ({
    book: bookReference(item.bookId),
    score: item.score,
    algorithm: list.algorithm,
    modelVersion: list.modelVersion,
    source: list.source,
    reasons: item.reasons,
    listId: list.listId,
    experiment,
    variant: list.variant,
  }));
}

/** The reader whose taste is asked about: the viewer by default; someone else only for an admin. */
function readerOf(userId: string | null | undefined, context: RecommendationsContext, field: string): number {
  if (context.identity.kind === "apiKey") throw forbidden("API keys act as no reader; a reader's recommendations are theirs");
  if (!context.viewer) throw unauthenticated();
  if (userId === null || userId === undefined) return context.viewer.userId;
  const id = parseId(userId, field);
  if (id !== context.viewer.userId && context.viewer.role !== "ADMIN") throw forbidden("Only this user and administrators can see this");
  return id;
}

/** A title not held in memory, read with the others of the response; NOT_FOUND for a book that does not exist. */
async function titleRead(bookId: number, context: RecommendationsContext): Promise<string> {
  const title = await context.loaders.bookTitle.load(bookId);
  if (title === null) throw notFound("Book", String(bookId));
  return title;
}

const serveContext = (context: RecommendationsContext) => ({ requestId: context.requestId, viewerId: context.viewer?.userId ?? null, log: true });

export const resolvers: GraphQLResolverMap<RecommendationsContext> = {
  Book: {
    __resolveReference: (reference: EntityReference): Entity => ({ id: parseId(reference.id) }),
    /**
     * From the catalogue titles held in memory (BookFactsCache: a catalogue change clears
     * them), answered at once; a title not held is read with the others of the response.
     */
    title(book: Entity | EntityReference, _args: unknown, context) {
      const id = Number(book.id);
      return context.engine.bookFacts.held(id)?.title ?? titleRead(id, context);
    },
    async similar(book: Entity, args: { limit?: number | null; strategy?: Strategy | null; diversify?: boolean | null }, context) {
      // Mid-switch the list may come from the outgoing model: nobody downstream may keep it.
      if (context.engine.models.switchPending) doNotCache(context);
      const limit = limitOf(args.limit);
      if (limit === 0) return [];
      return present(await context.loaders.similar.load({ bookId: book.id, strategy: args.strategy ?? "HYBRID", diversify: args.diversify ?? false }), limit);
    },
    async score(book: Entity, args: { userId?: string | null }, context) {
      const userId = readerOf(args.userId, context, "userId");
      return (await context.loaders.predictionByUserBook.load(`${userId}:${book.id}`)).score;
    },
    async prediction(book: Entity, args: { userId?: string | null }, context) {
      const userId = readerOf(args.userId, context, "userId");
      return context.loaders.predictionByUserBook.load(`${userId}:${book.id}`);
    },
  },
  User: {
    __resolveReference: (reference: EntityReference): Entity => ({ id: parseId(reference.id) }),
    async recommendations(
      user: Entity,
      args: { limit?: number | null; strategy?: Strategy | null; excludeRead?: boolean | null; diversify?: boolean | null },
      context,
    ) {
      const limit = limitOf(args.limit);
      if (limit === 0) return [];
      const list = await context.engine.forUser(user.id, args.strategy ?? "HYBRID", args.excludeRead ?? true, args.diversify ?? false, serveContext(context));
      return present(list, limit);
    },
  },
  Query: {
    /** The shared entry point (the books subgraph answers it too): only a book that exists is returned. */
    async book(_root: unknown, args: { id: string }, context): Promise<Entity> {
      const id = parseId(args.id);
      if (!context.engine.bookFacts.held(id)) await titleRead(id, context);
      return { id };
    },
    async recommendations(
      _root: unknown,
      { input }: { input: { userId?: string | null; bookId?: string | null; strategy?: Strategy | null; limit?: number | null; diversify?: boolean | null } },
      context,
    ) {
      const limit = limitOf(input.limit);
      const strategy = input.strategy ?? "HYBRID";
      const diversify = input.diversify ?? false;
      const bookId = input.bookId === null || input.bookId === undefined ? null : parseId(input.bookId, "input.bookId");
      if (input.userId === null || input.userId === undefined) {
        if (bookId === null) throw badUserInput("give a userId, a bookId or both", "input");
        if (limit === 0) return [];
        return present(await context.engine.similar(bookId, strategy, diversify, serveContext(context)), limit);
      }
      const userId = readerOf(input.userId, context, "input.userId");
      if (limit === 0) return [];
      const list =
        bookId === null
          ? await context.engine.forUser(userId, strategy, true, diversify, serveContext(context))
          : await context.engine.forUserAndBook(userId, bookId, strategy, diversify, serveContext(context));
      return present(list, limit);
    },
    async trendingBooks(_root: unknown, args: { window?: TrendingWindow | null; limit?: number | null }, context) {
      const limit = limitOf(args.limit);
      if (limit === 0) return [];
      const trending = await context.trending.top(args.window ?? "DAY", limit);
      return trending.map((entry) => ({ book: bookReference(entry.bookId), score: entry.score, readers: entry.readers, interactions: entry.interactions }));
    },
  },
};
