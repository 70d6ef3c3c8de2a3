import type { GraphQLResolveInfo } from "graphql";
import { parseId } from "../../../lib/graphql/arguments.ts";
import { parseInteraction } from "../../../lib/events/interaction.ts";
import { Topics } from "../../../lib/events/topics.ts";
import { boundedEvents, SKIP } from "../bounded-events.ts";
import { EntityRef, eventObject } from "../planned-results.ts";
import { fromSourceEvent } from "../shared-execution.ts";
import type { SubscriptionContext } from "../subscription-context.ts";
import type { SubscriptionField } from "./subscription-field.ts";

/** New public ratings and reviews of one book. Public. */
export const bookActivity: SubscriptionField<{ bookId: string }> = {
  public: true,
  subscribe(args: { bookId: string }, context: SubscriptionContext, _info: GraphQLResolveInfo) {
    const bookId = parseId(args.bookId, "bookId");
    return boundedEvents({
      pubsub: context.pubsub,
      topic: Topics.INTERACTION,
      limit: context.queueLimit,
      onOverflow: (queued) => context.disconnectSlow(queued),
      prepare(payload) {
        const event = parseInteraction(payload);
        if (!event || event.bookId !== bookId) return SKIP;
        const rated = event.type === "RATE" && event.value !== null;
        if (!rated && event.type !== "REVIEW") return SKIP;
        const raw = payload as object;
        return fromSourceEvent(raw, eventObject({
          kind: rated ? "RATED" : "REVIEWED",
          book: new EntityRef("Book", event.bookId, raw),
          reader: new EntityRef("User", event.userId, raw),
          rating: event.value === null ? null : Math.round(event.value),
          review: event.reviewId ? new EntityRef("Review", event.reviewId, raw) : null,
          occurredAt: event.occurredAt,
        }));
      },
    });
  },
};
