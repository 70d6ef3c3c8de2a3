import type { GraphQLResolveInfo } from "graphql";
import type { SubscriptionContext } from "../subscription-context.ts";

/**
 * One field of the supergraph's Subscription type, served by the gateway: its
 * events (already filtered, deduplicated and shaped as the field's type), and
 * whether anonymous connections may open it.
 */
export interface SubscriptionField<Args> {
  readonly public: boolean;
  subscribe(args: Args, context: SubscriptionContext, info: GraphQLResolveInfo): AsyncIterableIterator<unknown> | Promise<AsyncIterableIterator<unknown>>;
}
