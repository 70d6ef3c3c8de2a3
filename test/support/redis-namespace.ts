import { randomUUID } from "node:crypto";
import { createCache } from "../../lib/cache.ts";
import { createLogger } from "../../lib/logger.ts";

/** The key prefixes a set of servers (a test's, a bench setup's) writes under in the shared Redis, and how to remove what they wrote. */
export interface RedisNamespace {
  /** The namespace's own prefix: every key under it is dropped with it. */
  readonly prefix: string;
  /** CACHE_KEY_PREFIX and STREAM_KEY_PREFIX for the servers. */
  readonly env: { CACHE_KEY_PREFIX: string; STREAM_KEY_PREFIX: string };
  /** Deletes every key under the namespace (never throws: cleanup must not fail a run); the number deleted. */
  drop(): Promise<number>;
}

/**
 * A namespace of its own for each test supergraph, service set or bench setup, dropped
 * when it stops. The Redis of these machines is shared by every run (and a dev server):
 * bench runs used to leave their caches behind until the TTL ran out (567,000 keys and
 * 3.2 GB after a day's runs), and test runs their streams and trending sets, which have
 * no TTL at all. Drop it after the servers stopped: a server still running can write
 * again after the drop. Without a Redis (in-process cache and stream) there is nothing to drop.
 */
export function redisNamespace(redisUrl: string | undefined, owner: "test" | "bench", name: string = randomUUID()): RedisNamespace {
  const prefix = `shelfgraph:${owner}:${name}:${owner === "bench" ? `${Date.now()}:` : ""}`;
  return {
    prefix,
    env: { CACHE_KEY_PREFIX: prefix, STREAM_KEY_PREFIX: `${prefix}stream:` },
    async drop() {
      if (!redisUrl) return 0;
      // The cache under the namespace's prefix sees the stream's keys too: they share it.
      const cache = createCache({ REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix, CACHE_TTL_SECONDS: 60, CACHE_MAX_ENTRIES: 1 }, createLogger({ LOG_LEVEL: "warn", NODE_ENV: "production" }, owner));
      try {
        return await cache.deleteMatching("*");
      } catch {
        return 0;
      } finally {
        await cache.close();
      }
    },
  };
}
