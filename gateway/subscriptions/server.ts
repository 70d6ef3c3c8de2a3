import type { Server } from "node:http";
import { GraphQLError } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Config } from "../../lib/config.ts";
import { viewerFromAuthorization } from "../../lib/auth/tokens.ts";
import type { Viewer } from "../../lib/auth/viewer.ts";
import { createErrorFormatter, rateLimited } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { countActiveSubscriptions, rateLimitRejections } from "../../lib/metrics/index.ts";
import type { EventBus } from "../../lib/pubsub.ts";
import { createSubscriptionSchema, type SubscriptionContext } from "./schema.ts";

/** Enough for an app's few live views; a client opening more is misbehaving, not busy. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 10;

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  config: Config;
  logger: Logger;
  pubsub: EventBus;
}

// A type alias: graphql-ws wants an index-signature-compatible record for its `extra`.
type ConnectionState = { viewer?: Viewer | null };

/**
 * graphql-ws on the gateway's own HTTP server and path. The token travels in
 * `connectionParams.authorization` (browsers cannot set headers on a WebSocket) and
 * is verified once per connection; no token is an anonymous connection.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): { dispose(): Promise<void> } {
  const logger = options.logger.child({ component: "subscriptions" });
  const formatError = createErrorFormatter(logger);
  const schema = createSubscriptionSchema(options.pubsub);
  const webSockets = new WebSocketServer({ server: options.httpServer, path: options.path });
  // Counted at scrape time from graphql-ws's own bookkeeping, so no open/close event can be missed.
  const connections = new Set<{ subscriptions: Record<string, unknown> }>();
  const stopCounting = countActiveSubscriptions(() => {
    let open = 0;
    for (const connection of connections) open += Object.keys(connection.subscriptions).length;
    return open;
  });
  const server = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      isProd: options.config.NODE_ENV === "production",
      async onConnect(ctx) {
        // Clients differ in how they spell the key; the value is the same "Bearer <jwt>" as the HTTP header.
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          if (authorization !== undefined && typeof authorization !== "string") throw new Error("authorization must be a string");
          ctx.extra.viewer = await viewerFromAuthorization(options.config, authorization);
          connections.add(ctx);
          return true;
        } catch (error) {
          // graphql-ws closes a refused connection with 4403; a token that does not verify is 4401, as for HTTP's 401.
          ctx.extra.socket.close(CloseCode.Unauthorized, error instanceof GraphQLError ? error.message : "Unauthorized");
          return false;
        }
      },
      onSubscribe(ctx) {
        // The subscription being opened is already counted.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          rateLimitRejections.inc({ scope: "subscriptions" });
          return [rateLimited(`At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`, { limit: MAX_SUBSCRIPTIONS_PER_CONNECTION })];
        }
      },
      onClose(ctx) {
        connections.delete(ctx);
      },
      context: (ctx): SubscriptionContext => ({ viewer: ctx.extra.viewer ?? null, logger }),
      // Queries and mutations go to the supergraph over HTTP; this schema only knows subscriptions.
      execute: () => ({
        errors: [
          new GraphQLError("Only subscriptions are served over WebSocket; send queries and mutations over HTTP", {
            extensions: { code: "BAD_REQUEST" },
          }),
        ],
      }),
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
      await server.dispose();
    },
  };
}
