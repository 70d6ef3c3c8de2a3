import { GraphQLError, type GraphQLFieldResolver } from "graphql";
import { bookActivity } from "./fields/book-activity.ts";
import { recommendationsUpdated } from "./fields/recommendations-updated.ts";
import type { SubscriptionField } from "./fields/subscription-field.ts";
import { trendingChanged } from "./fields/trending-changed.ts";
import { resolveEventField } from "./planned-results.ts";
import { EventError, type SubscriptionContext } from "./subscription-context.ts";

/** The supergraph's Subscription fields this gateway serves, by name. */
export const SUBSCRIPTION_FIELDS: Readonly<Record<string, SubscriptionField<never>>> = {
  trendingChanged,
  recommendationsUpdated,
  bookActivity,
} as Record<string, SubscriptionField<never>>;

/** Opens a Subscription field's event stream (graphql-js `subscribeFieldResolver`). */
export const subscribeField: GraphQLFieldResolver<unknown, SubscriptionContext> = (_root, args, context, info) => {
  const field = SUBSCRIPTION_FIELDS[info.fieldName];
  if (!field) throw new GraphQLError(`Subscription.${info.fieldName} is not served by this gateway`, { extensions: { code: "BAD_REQUEST" } });
  return field.subscribe(args as never, context, info);
};

/**
 * Resolves every field of a pushed event (graphql-js `fieldResolver`): the
 * Subscription field returns the prepared event (or raises its error); below it,
 * event objects and the planner's answers (planned-results.ts).
 */
export const resolveField: GraphQLFieldResolver<unknown, SubscriptionContext> = (source, _args, context, info) => {
  if (info.parentType.name === info.schema.getSubscriptionType()?.name) {
    if (source instanceof EventError) throw source.error;
    return source;
  }
  return resolveEventField(source, info, context.entities);
};
