import type { Viewer } from "../../lib/auth/viewer.ts";
import type { Logger } from "../../lib/logger.ts";
import type { PubSubEngine } from "graphql-subscriptions";
import type { EntityLoader } from "./entity-loader.ts";
import type { PlannedQueries } from "./planned-queries.ts";

/** What a subscription's fields see: one per subscribe operation. */
export interface SubscriptionContext {
  pubsub: PubSubEngine;
  logger: Logger;
  /** Who opened the connection, as verified in connection_init (null when anonymous). */
  viewer: Viewer | null;
  /**
   * Verifies the connection's credentials again, as for a query: the viewer now, or
   * the GraphQLError (UNAUTHENTICATED) of a token that expired since connection_init.
   */
  reverify(): Promise<Viewer | null>;
  /** Planned queries as this subscriber (its identity, or anonymous once its token failed on a public topic). */
  queries: PlannedQueries;
  entities: EntityLoader;
  /** Subscribers with equal keys get equal answers to an event: its execution is shared (shared-execution.ts). */
  sharingKey: string;
  /** Events waiting for this client beyond which it is disconnected as too slow. */
  queueLimit: number;
  /** Closes this client's connection as too slow. */
  disconnectSlow(queued: number): void;
}

/** An event this subscriber gets as an error (the planned query failed as a whole). */
export class EventError {
  constructor(readonly error: Error) {}
}

/** An error pushed as the subscription's last event before it ends (a token expired, a permission was lost). */
export class FinalError extends EventError {}
