import { createCache } from "../../lib/cache.ts";
import { createLogger } from "../../lib/logger.ts";

/** The key prefixes a set of bench servers writes under in the shared Redis, and how to remove what they wrote. */
export interface RedisNamespace {
  /** CACHE_KEY_PREFIX and STREAM_KEY_PREFIX for the servers. */
  readonly env: { CACHE_KEY_PREFIX: string; STREAM_KEY_PREFIX: string };
  /** Deletes every key under the namespace; the number deleted. */
  drop(): Promise<number>;
}

/**
 * A namespace of its own for each setup of a run, dropped when the setup stops. Runs used to
 * leave their caches behind until the TTL ran out (20,000-30,000 keys of about 6 KB per
 * multi-process setup; 567,000 keys and 3.2 GB in Redis after a day's runs), and the
 * multi-process setups wrote their ratings into the default interaction stream and
 * trending sets, those of a dev server on the same Redis.
 */
export function redisNamespace(redisUrl: string, name: string): RedisNamespace {
  const prefix = `shelfgraph:bench:${name}:${Date.now()}:`;
  return {
    env: { CACHE_KEY_PREFIX: prefix, STREAM_KEY_PREFIX: `${prefix}stream:` },
    async drop() {
      // The cache under the namespace's prefix sees the stream's keys too: they share it.
      const cache = createCache({ REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix, CACHE_TTL_SECONDS: 60, CACHE_MAX_ENTRIES: 1 }, createLogger({ LOG_LEVEL: "warn", NODE_ENV: "production" }, "bench"));
      try {
        return await cache.deleteMatching("*");
      } finally {
        await cache.close();
      }
    },
  };
}
