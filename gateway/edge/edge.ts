import type { ApolloServerOptions, ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler } from "express";
import type { Config } from "../../lib/config.ts";
import type { Logger } from "../../lib/logger.ts";
import { type EventBus, Topics } from "../../lib/pubsub.ts";
import { createRedisClient } from "../../lib/redis.ts";
import type { GatewayContext } from "../context.ts";
import { corsAllowList } from "./cors.ts";
import { operationLimitsFrom } from "./operation-limits/limits.ts";
import { trustedDocumentsFromFile } from "./persisted-queries/manifest-file.ts";
import { createPersistedQueryStore } from "./persisted-queries/store.ts";
import { subscriptionDocuments, type SubscribePayload } from "./persisted-queries/subscription-documents.ts";
import { trustedDocumentsOnly } from "./persisted-queries/trusted-only.ts";
import { protectionPlugin } from "./protection-plugin.ts";
import { createRateLimiter } from "./rate-limit/create-limiter.ts";
import { forgetErasedReaders } from "./rate-limit/forget-erased-readers.ts";
import { createResponseCache } from "./response-cache/response-cache.ts";

/** Everything the gateway's edge adds (limits, rate limits, CORS, persisted queries, response cache) to its GraphQL endpoint, built from the configuration. */
export interface Edge {
  /** Before the body is read (CORS, so even a refused body reaches the browser readable). */
  middleware: RequestHandler[];
  /** After the body is read, before Apollo (trusted documents only, when enforced). */
  bodyMiddleware: RequestHandler[];
  serverOptions: Pick<ApolloServerOptions<GatewayContext>, "introspection" | "persistedQueries" | "parseOptions">;
  plugins: ApolloServerPlugin<GatewayContext>[];
  /** A WebSocket subscription's document under the same persisted-query policy as HTTP operations; throws a coded GraphQLError. */
  subscriptionDocument(payload: SubscribePayload): Promise<string>;
  close(): Promise<void>;
}

export async function createEdge(config: Config, logger: Logger, pubsub: EventBus): Promise<Edge> {
  const trusted = await trustedDocumentsFromFile(config.PERSISTED_QUERY_MANIFEST, logger);
  const redis = config.REDIS_URL ? createRedisClient(config.REDIS_URL, logger, "edge-cache", { autoPipelining: true, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS }) : undefined;
  const responseCache = await createResponseCache(config, logger, pubsub, redis);
  const persistedQueries = createPersistedQueryStore({
    mode: config.PERSISTED_QUERIES,
    trusted,
    redis,
    keyPrefix: config.CACHE_KEY_PREFIX,
    logger,
  });
  const limiter = createRateLimiter(config, logger);
  const stopForgetting = await forgetErasedReaders(limiter, pubsub, logger);
  return {
    middleware: [corsAllowList(config.CORS_ORIGINS)],
    bodyMiddleware: config.PERSISTED_QUERIES === "enforce" ? [trustedDocumentsOnly(trusted)] : [],
    serverOptions: {
      // graphql-js stops parsing past this many tokens: the cheapest limit, checked first.
      parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
      persistedQueries: { cache: persistedQueries },
    },
    plugins: [
      protectionPlugin({
        limits: operationLimitsFrom(config),
        limiter,
        ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
        costPerUnit: config.RATE_LIMIT_COST_PER_UNIT,
      }),
      // After the limits: a cached answer still counts against the caller's rate.
      ...responseCache.plugins,
    ],
    subscriptionDocument: subscriptionDocuments({ mode: config.PERSISTED_QUERIES, trusted, store: persistedQueries }),
    async close() {
      stopForgetting();
      trusted.close();
      // The edge made the limiter, so the edge closes it: also when the gateway's start failed before Apollo Server started.
      await limiter.close();
      await responseCache.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
