import {
  GraphQLEnumType,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from "graphql";
import { withFilter } from "graphql-subscriptions";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { badUserInput } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { Topics, type EventBus } from "../../lib/pubsub.ts";
import {
  parseTrendingChanged,
  sameRanking,
  TRENDING_LIST_LENGTH,
  TRENDING_WINDOW_NAMES,
  type TrendingChangedEvent,
  type TrendingEntry,
  type TrendingWindow,
} from "../../lib/trending/trending-changed.ts";

/** What a subscription's resolvers see: who opened the connection (null when anonymous). */
export interface SubscriptionContext {
  viewer: Viewer | null;
  logger: Logger;
}

const DEFAULT_LIMIT = 10;

const TrendingWindowType = new GraphQLEnumType({
  name: "TrendingWindow",
  description: "How far back interactions count.",
  values: Object.fromEntries(TRENDING_WINDOW_NAMES.map((name) => [name, { value: name }])),
});

const TrendingBookScore = new GraphQLObjectType({
  name: "TrendingBookScore",
  description: "One place in a trending list; fetch the book itself with `book(id:)` over HTTP.",
  fields: {
    bookId: { type: new GraphQLNonNull(GraphQLID) },
    readers: { type: new GraphQLNonNull(GraphQLInt), description: "Distinct readers who interacted with the book within the window." },
    interactions: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const TrendingUpdate = new GraphQLObjectType({
  name: "TrendingUpdate",
  fields: {
    window: { type: new GraphQLNonNull(TrendingWindowType) },
    changedAt: { type: new GraphQLNonNull(GraphQLString), description: "When the new ranking was computed (ISO 8601)." },
    books: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(TrendingBookScore))), description: "Best first." },
  },
});

interface TrendingArgs {
  window: TrendingWindow;
  limit: number;
}

function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > TRENDING_LIST_LENGTH) {
    throw badUserInput(`limit must be between 1 and ${TRENDING_LIST_LENGTH}`, "limit");
  }
  return limit;
}

const toUpdate = (event: TrendingChangedEvent, books: readonly TrendingEntry[]) => ({
  window: event.window,
  changedAt: event.changedAt,
  books: books.map((entry) => ({ bookId: String(entry.bookId), readers: entry.readers, interactions: entry.interactions })),
});

/**
 * The gateway's own schema for the WebSocket endpoint: @apollo/gateway executes no
 * subscriptions, so the events come from the bus, not from a subgraph.
 */
export function createSubscriptionSchema(pubsub: EventBus): GraphQLSchema {
  const subscription = new GraphQLObjectType<unknown, SubscriptionContext>({
    name: "Subscription",
    fields: {
      trendingChanged: {
        type: new GraphQLNonNull(TrendingUpdate),
        description:
          "The ranked trending list of a window each time its top `limit` changes (books enter, leave or swap places). " +
          "Nothing is sent on subscribing: read the current list with `trendingBooks` over HTTP.",
        args: {
          window: { type: new GraphQLNonNull(TrendingWindowType), defaultValue: "DAY" },
          limit: { type: new GraphQLNonNull(GraphQLInt), defaultValue: DEFAULT_LIMIT, description: `1 to ${TRENDING_LIST_LENGTH}.` },
        },
        subscribe: (root: unknown, args: TrendingArgs, context: SubscriptionContext, info: unknown) => {
          const limit = checkedLimit(args.limit);
          // Per subscription: the last top-`limit` sent, so replicas' duplicate events and changes below the cut stay silent.
          let sent: readonly TrendingEntry[] | undefined;
          return withFilter(
            () => pubsub.asyncIterableIterator<unknown>(Topics.TRENDING_CHANGED),
            (payload: unknown) => {
              const event = parseTrendingChanged(payload);
              if (!event) {
                context.logger.warn({ payload }, "ignoring malformed TRENDING_CHANGED event");
                return false;
              }
              if (event.window !== args.window) return false;
              const top = event.books.slice(0, limit);
              if (sent && sameRanking(sent, top)) return false;
              sent = top;
              return true;
            },
          )(root, args, context, info);
        },
        resolve: (payload: unknown, args: TrendingArgs) => {
          const event = parseTrendingChanged(payload)!;
          return toUpdate(event, event.books.slice(0, args.limit));
        },
      },
    },
  });
  const query = new GraphQLObjectType({
    name: "Query",
    description: "Queries and mutations are served over HTTP POST /graphql; this endpoint serves subscriptions only.",
    fields: {
      trendingWindows: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(TrendingWindowType))), resolve: () => TRENDING_WINDOW_NAMES },
    },
  });
  return new GraphQLSchema({ query, subscription });
}
