import { print, type GraphQLResolveInfo } from "graphql";
import { badUserInput, unauthenticated } from "../../../lib/errors.ts";
import { parseRecommendationsUpdated } from "../../../lib/events/recommendations-updated.ts";
import { Topics } from "../../../lib/events/topics.ts";
import { boundedEvents, SKIP } from "../bounded-events.ts";
import { indexErrors, toGraphQLError } from "../planned-results.ts";
import { plannedSelection, queryDocument } from "../planned-selection.ts";
import { fromSourceEvent } from "../shared-execution.ts";
import { EventError, FinalError, type SubscriptionContext } from "../subscription-context.ts";
import type { SubscriptionField } from "./subscription-field.ts";

const MAX_LIMIT = 50;
const LIST = "sg_list";

/**
 * The signed-in reader's list after their own signal changed it: on each
 * RECOMMENDATIONS_UPDATED for them, the credentials are checked again and
 * `me { recommendations(<the subscription's arguments>) { <its selection> } }` is
 * run through the supergraph as them; an unchanged list is not sent. Private.
 */
export const recommendationsUpdated: SubscriptionField<{ limit: number }> = {
  public: false,
  subscribe(args: { limit: number }, context: SubscriptionContext, info: GraphQLResolveInfo) {
    const viewer = context.viewer;
    if (!viewer) throw unauthenticated("Sign in to subscribe to your recommendations");
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > MAX_LIMIT) throw badUserInput(`limit must be between 1 and ${MAX_LIMIT}`, "limit");
    const fieldArguments = info.fieldNodes[0]?.arguments ?? [];
    const selection = plannedSelection(info, fieldArguments);
    const argumentText = fieldArguments.length > 0 ? `(${fieldArguments.map(print).join(", ")})` : "";
    const query = queryDocument("RecommendationsUpdated", selection, `me { ${LIST}: recommendations${argumentText} ${selection.selectionSet} }`);
    let sent: string | undefined;
    return boundedEvents({
      pubsub: context.pubsub,
      topic: Topics.RECOMMENDATIONS_UPDATED,
      limit: context.queueLimit,
      onOverflow: (queued) => context.disconnectSlow(queued),
      async prepare(payload) {
        const event = parseRecommendationsUpdated(payload);
        if (!event || event.userId !== viewer.userId) return SKIP;
        try {
          // Per event, as per query: a token that expired since connection_init ends this private stream.
          await context.reverify();
        } catch (error) {
          return new FinalError(error as Error);
        }
        const result = await context.queries.run(payload as object, query, { ...selection.variables });
        const me = result.data?.me as Record<string, unknown> | null | undefined;
        const list = me?.[LIST];
        if (!Array.isArray(list)) {
          const error = result.errors?.[0];
          return new EventError(error ? toGraphQLError(error) : new Error("no recommendations in the answer"));
        }
        indexErrors(result.data, result.errors);
        const text = JSON.stringify(list);
        if (text === sent) return SKIP;
        sent = text;
        return fromSourceEvent(payload as object, list);
      },
    });
  },
};
