import type { Server } from "node:http";
import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { PubSubEngine } from "graphql-subscriptions";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Viewer } from "../../lib/auth/viewer.ts";
import type { Config } from "../../lib/config.ts";
import { createErrorFormatter, rateLimited, serviceUnavailable } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { countActiveSubscriptions, rateLimitRejections } from "../../lib/metrics/index.ts";
import { EntityLoader } from "./entity-loader.ts";
import { keepAlive } from "./keep-alive.ts";
import { PlannedQueries, type Caller, type ExecuteAs } from "./planned-queries.ts";
import { resolveField, subscribeField } from "./resolvers.ts";
import { subscribeSharingExecutions } from "./shared-execution.ts";
import { validatedDocument } from "./validated-documents.ts";
import type { SubscriptionContext } from "./subscription-context.ts";

/** Enough for an app's few live views; a client opening more is misbehaving, not busy. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 10;

/** Close code for a client that let more than SUBSCRIPTION_QUEUE_LIMIT events pile up unread. */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  config: Pick<Config, "NODE_ENV" | "SUBSCRIPTION_QUEUE_LIMIT" | "SUBSCRIPTION_KEEPALIVE_MS">;
  logger: Logger;
  pubsub: PubSubEngine;
  /** The supergraph's API schema, Subscription type included (undefined until the gateway has loaded it). */
  schema(): GraphQLSchema | undefined;
  /** Authenticates credential headers exactly as a query's (the gateway's own context factory); throws UNAUTHENTICATED. */
  authenticate(caller: Caller): Promise<Viewer | null>;
  /** Runs a query through the gateway as the caller these headers identify. */
  executeAs: ExecuteAs;
  /** The edge's operation limits (depth, aliases, cost), applied to a subscription as to a query; throws QUERY_TOO_COMPLEX. */
  checkOperation?(args: { schema: GraphQLSchema; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> | undefined }): void;
  /** The document to run for a subscribe message under the edge's persisted-query policy; throws a coded GraphQLError. */
  document?(payload: { query: string; extensions?: Readonly<Record<string, unknown>> | null }): Promise<string>;
}

// A type alias: graphql-ws wants an index-signature-compatible record for its `extra`.
type ConnectionState = { caller?: Caller; viewer?: Viewer | null };

/** The connection_init payload's credentials as the headers a query would carry them in (browsers cannot set WebSocket headers). */
function credentialHeaders(params: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  // Clients differ in how they spell the key; the value is the same "Bearer <jwt>" as the HTTP header.
  const authorization = params?.authorization ?? params?.Authorization;
  const apiKey = params?.["x-api-key"] ?? params?.apiKey;
  if (authorization !== undefined) {
    if (typeof authorization !== "string") throw new GraphQLError("authorization must be a string");
    headers.authorization = authorization;
  }
  if (apiKey !== undefined) {
    if (typeof apiKey !== "string") throw new GraphQLError("x-api-key must be a string");
    headers["x-api-key"] = apiKey;
  }
  return headers;
}

/**
 * graphql-ws on the gateway's own HTTP server and path. Subscriptions are validated
 * against the supergraph's API schema, so a subscription selects anything a query
 * can: the gateway serves each Subscription field's events and resolves every
 * selected field of each event through its own query planner, as the subscriber
 * (see fields/ and planned-results.ts).
 */
export function serveSubscriptions(options: SubscriptionServerOptions): { dispose(): Promise<void> } {
  const logger = options.logger.child({ component: "subscriptions" });
  const formatError = createErrorFormatter(logger);
  const webSockets = new WebSocketServer({ server: options.httpServer, path: options.path });
  // Counted at scrape time from graphql-ws's own bookkeeping, so no open/close event can be missed.
  const connections = new Set<{ subscriptions: Record<string, unknown> }>();
  const stopCounting = countActiveSubscriptions(() => {
    let open = 0;
    for (const connection of connections) open += Object.keys(connection.subscriptions).length;
    return open;
  });
  const pings = keepAlive(webSockets, options.config.SUBSCRIPTION_KEEPALIVE_MS);
  const server = useServer<Record<string, unknown>, ConnectionState>(
    {
      isProd: options.config.NODE_ENV === "production",
      subscribe: subscribeSharingExecutions,
      async onConnect(ctx) {
        try {
          const caller: Caller = { headers: credentialHeaders(ctx.connectionParams), address: ctx.extra.request.socket.remoteAddress };
          ctx.extra.caller = caller;
          ctx.extra.viewer = await options.authenticate(caller);
          connections.add(ctx);
          return true;
        } catch (error) {
          // graphql-ws closes a refused connection with 4403; a token that does not verify is 4401, as for HTTP's 401.
          ctx.extra.socket.close(CloseCode.Unauthorized, error instanceof GraphQLError ? error.message : "Unauthorized");
          return false;
        }
      },
      async onSubscribe(ctx, _id, payload) {
        // The subscription being opened is already counted.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          rateLimitRejections.inc({ scope: "subscriptions" });
          return [rateLimited(`At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`, { limit: MAX_SUBSCRIPTIONS_PER_CONNECTION })];
        }
        const schema = options.schema();
        if (!schema) return [serviceUnavailable("The supergraph is not loaded yet")];
        let text: string;
        try {
          text = options.document ? await options.document(payload) : payload.query;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const validated = validatedDocument(schema, text);
        if ("errors" in validated) return [...validated.errors];
        const { document } = validated;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError("The document names no operation to run", { extensions: { code: "BAD_REQUEST" } })];
        if (operation.operation !== "subscription") {
          return [new GraphQLError("Only subscriptions are served over WebSocket; send queries and mutations over HTTP", { extensions: { code: "BAD_REQUEST" } })];
        }
        try {
          options.checkOperation?.({ schema, document, operation, variables: payload.variables ?? undefined });
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const caller = ctx.extra.caller ?? { headers: {}, address: undefined };
        const queries = new PlannedQueries(options.executeAs, caller);
        const contextValue: SubscriptionContext = {
          pubsub: options.pubsub,
          logger,
          viewer: ctx.extra.viewer ?? null,
          reverify: () => options.authenticate(caller),
          queries,
          entities: new EntityLoader(queries),
          // Same credentials, document and variables: the same answer to every event (shared-execution.ts).
          sharingKey: `${JSON.stringify(caller.headers)}\n${payload.operationName ?? ""}\n${text}\n${JSON.stringify(payload.variables ?? {})}`,
          queueLimit: options.config.SUBSCRIPTION_QUEUE_LIMIT,
          disconnectSlow(queued) {
            logger.warn({ queued }, "disconnecting a subscriber that cannot keep up");
            ctx.extra.socket.close(SLOW_CONSUMER_CLOSE_CODE, `Too slow: more than ${queued} events waiting`);
          },
        };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          subscribeFieldResolver: subscribeField,
          fieldResolver: resolveField,
        };
      },
      onClose(ctx) {
        connections.delete(ctx);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    webSockets,
  );
  logger.info({ path: options.path }, "serving subscriptions over graphql-ws");
  return {
    // Closes every socket (1001 Going away, ending their subscriptions) and stops accepting upgrades.
    async dispose() {
      stopCounting();
      pings.stop();
      await server.dispose();
    },
  };
}
