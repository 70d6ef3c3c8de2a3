import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import responseCachePlugin from "@apollo/server-plugin-response-cache";
import { InMemoryLRUCache, type KeyValueCache } from "@apollo/utils.keyvaluecache";
import { parseCatalogueChanged } from "../../../lib/events/catalogue-changed.ts";
import { parseModelChanged } from "../../../lib/events/model-changed.ts";
import type { Config } from "../../../lib/config.ts";
import type { Logger } from "../../../lib/logger.ts";
import { Topics, type EventBus } from "../../../lib/pubsub.ts";
import type { Redis } from "../../../lib/redis.ts";
import type { GatewayContext } from "../../context.ts";
import { RedisKeyValueCache } from "../redis-key-value-cache.ts";

export interface ResponseCache {
  plugins: ApolloServerPlugin<GatewayContext>[];
  close(): Promise<void>;
}

/**
 * The plugin's own key (SHA-256 of the key data as JSON, so entries stay compatible),
 * hashed once per request: a miss reads the key before execution and computes it again
 * to write the answer; the second time the data is the same and the hash is reused.
 */
function cacheKeyOncePerRequest() {
  const keys = new WeakMap<object, { data: string; key: string }>();
  return (requestContext: { request: object }, keyData: unknown): string => {
    const data = JSON.stringify(keyData);
    const known = keys.get(requestContext.request);
    if (known?.data === data) return known.key;
    const key = createHash("sha256").update(data).digest("hex");
    keys.set(requestContext.request, { data, key });
    return key;
  };
}

/**
 * Whole answers to anonymous queries, cached as long as the subgraphs' cache-control
 * hints allow (each subgraph declares @cacheControl; the gateway restricts the
 * request's policy by every subgraph response's Cache-Control header), at most
 * RESPONSE_CACHE_TTL_SECONDS. Anything personal is PRIVATE or uncacheable by its
 * hints, and signed-in callers neither read nor write the cache.
 *
 * An admin's catalogue mutation (CATALOGUE_CHANGED on the bus) moves the cache to a
 * new generation, part of every key: answers from before the change are never served
 * again and age out. Instances that heard the same event share one generation.
 * A model promotion (MODEL_CHANGED) does the same, so similar-book lists follow a new
 * model at once (the first-start set being replaced minutes after a fresh start)
 * instead of serving the previous model's for up to their 10-minute hint; it has no
 * shared timestamp, so instances may briefly differ in generation (a few extra misses).
 */
export async function createResponseCache(
  config: Pick<Config, "RESPONSE_CACHE" | "RESPONSE_CACHE_TTL_SECONDS" | "CACHE_KEY_PREFIX">,
  logger: Logger,
  pubsub: EventBus,
  redis: Redis | undefined,
): Promise<ResponseCache> {
  if (!config.RESPONSE_CACHE) return { plugins: [], close: async () => {} };
  const cache: KeyValueCache<string> = redis
    ? new RedisKeyValueCache(redis, `${config.CACHE_KEY_PREFIX}response:`, logger, config.RESPONSE_CACHE_TTL_SECONDS)
    : new InMemoryLRUCache<string>({ maxSize: 64 * 1024 * 1024 });
  let generation = Date.now();
  const subscription = await pubsub.subscribe(Topics.CATALOGUE_CHANGED, (payload: unknown) => {
    const event = parseCatalogueChanged(payload);
    if (!event) return;
    generation = Math.max(generation, event.changedAt);
    logger.info({ mutation: event.mutation, generation }, "catalogue changed: response cache starts a new generation");
  }, {});
  const modelSubscription = await pubsub.subscribe(Topics.MODEL_CHANGED, (payload: unknown) => {
    const event = parseModelChanged(payload);
    if (!event) return;
    generation = Math.max(generation + 1, Date.now());
    logger.info({ model: event.name, version: event.version, generation }, "model changed: response cache starts a new generation");
  }, {});
  // Only callers with no credential share cached answers: a partner key's scopes may open more than the public.
  const anonymous = async ({ contextValue }: { contextValue: GatewayContext }) => contextValue.identity.kind === "anonymous";
  const cap: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ overallCachePolicy }) {
          overallCachePolicy.restrict({ maxAge: config.RESPONSE_CACHE_TTL_SECONDS });
        },
      };
    },
  };
  return {
    plugins: [
      cap,
      responseCachePlugin<GatewayContext>({
        cache,
        // No per-session entries: personal answers are not cached at the edge at all.
        sessionId: async () => null,
        shouldReadFromCache: anonymous,
        shouldWriteToCache: anonymous,
        extraCacheKeyData: async () => ({ generation }),
        generateCacheKey: cacheKeyOncePerRequest(),
      }),
    ],
    async close() {
      pubsub.unsubscribe(subscription);
      pubsub.unsubscribe(modelSubscription);
    },
  };
}
