import type { GraphQLResolveInfo } from "graphql";
import { badUserInput } from "../../../lib/errors.ts";
import { parseTrendingChanged, sameRanking, TRENDING_LIST_LENGTH, type TrendingEntry, type TrendingWindow } from "../../../lib/events/trending-changed.ts";
import { Topics } from "../../../lib/events/topics.ts";
import { boundedEvents, SKIP } from "../bounded-events.ts";
import { EntityRef, eventObject } from "../planned-results.ts";
import { fromSourceEvent } from "../shared-execution.ts";
import type { SubscriptionContext } from "../subscription-context.ts";
import type { SubscriptionField } from "./subscription-field.ts";

interface TrendingArgs {
  window: TrendingWindow;
  limit: number;
}

/** A window's new top `limit`, its books resolved through the supergraph like `trendingBooks`'. Public. */
export const trendingChanged: SubscriptionField<TrendingArgs> = {
  public: true,
  subscribe(args: TrendingArgs, context: SubscriptionContext, _info: GraphQLResolveInfo) {
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > TRENDING_LIST_LENGTH) {
      throw badUserInput(`limit must be between 1 and ${TRENDING_LIST_LENGTH}`, "limit");
    }
    // The last top-`limit` sent, so replicas' duplicate events and changes below the cut stay silent.
    let sent: readonly TrendingEntry[] | undefined;
    return boundedEvents({
      pubsub: context.pubsub,
      topic: Topics.TRENDING_CHANGED,
      limit: context.queueLimit,
      onOverflow: (queued) => context.disconnectSlow(queued),
      prepare(payload) {
        const event = parseTrendingChanged(payload);
        if (!event) {
          context.logger.warn({ payload }, "ignoring malformed TRENDING_CHANGED event");
          return SKIP;
        }
        if (event.window !== args.window) return SKIP;
        const top = event.books.slice(0, args.limit);
        if (sent && sameRanking(sent, top)) return SKIP;
        sent = top;
        // The raw payload keys the shared planned answers: every subscriber of this event shares them.
        const raw = payload as object;
        return fromSourceEvent(raw, eventObject({
          window: event.window,
          changedAt: event.changedAt,
          books: top.map((entry) =>
            eventObject({ book: new EntityRef("Book", entry.bookId, raw), score: entry.score, readers: entry.readers, interactions: entry.interactions }),
          ),
        }));
      },
    });
  },
};
