import { LRUCache } from "lru-cache";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { cacheRequests } from "./metrics/metrics.ts";
import { createRedisClient, type Redis } from "./redis.ts";

/**
 * A JSON value cache with TTLs. Embedded mode keeps it in process; with REDIS_URL
 * an in-process LRU sits in front of Redis, so hot keys cost no round trip and all
 * replicas share what any of them computed.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Returns the cached value, or loads, stores and returns it; concurrent misses share one load. */
  getOrSet<T>(key: string, load: () => Promise<T>, ttlSeconds?: number): Promise<T>;
  /** Keys matching a glob pattern (`*` any run of characters), in both layers: erasure and its proof need them. */
  keys(pattern: string): Promise<string[]>;
  /** Deletes every key matching a glob pattern, in both layers; returns how many distinct keys were found. */
  deleteMatching(pattern: string): Promise<number>;
  stats(): CacheStats;
  close(): Promise<void>;
}

const globToRegExp = (pattern: string) =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
/** Redis MATCH treats ?, [ and \ as special too: escape them so the pattern means what the in-process layer reads. */
const redisGlob = (pattern: string) => pattern.replace(/[?[\]\\]/g, "\\$&");

export interface CacheStats {
  hits: number;
  misses: number;
  hitRate: number;
}

type CacheOptions = Pick<Config, "REDIS_URL" | "CACHE_TTL_SECONDS" | "CACHE_MAX_ENTRIES"> & Partial<Pick<Config, "CACHE_KEY_PREFIX">>;

/** How long an entry stays in the in-process layer in front of Redis: short, so invalidations elsewhere land quickly. */
const NEAR_CACHE_TTL_SECONDS = 5;

export function createCache(options: CacheOptions, logger: Logger): Cache {
  const local = new LRUCache<string, { value: unknown }>({ max: options.CACHE_MAX_ENTRIES, ttlAutopurge: false });
  const redis = options.REDIS_URL ? createRedisClient(options.REDIS_URL, logger, "cache") : undefined;
  const defaultTtl = options.CACHE_TTL_SECONDS;
  const KEY_PREFIX = options.CACHE_KEY_PREFIX ?? "shelfgraph:cache:";
  const pending = new Map<string, Promise<unknown>>();
  let hits = 0;
  let misses = 0;

  const localTtlMs = (ttlSeconds: number) => 1000 * (redis ? Math.min(ttlSeconds, NEAR_CACHE_TTL_SECONDS) : ttlSeconds);

  async function get<T>(key: string): Promise<T | undefined> {
    const near = local.get(key);
    cacheRequests.inc({ layer: "memory", result: near ? "hit" : "miss" });
    if (near) return near.value as T;
    if (!redis) return undefined;
    try {
      const raw = await redis.get(KEY_PREFIX + key);
      cacheRequests.inc({ layer: "redis", result: raw === null ? "miss" : "hit" });
      if (raw === null) return undefined;
      const value = JSON.parse(raw) as T;
      local.set(key, { value }, { ttl: localTtlMs(defaultTtl) });
      return value;
    } catch (error) {
      // A cache that is down is a cache miss, never a failed request.
      cacheRequests.inc({ layer: "redis", result: "error" });
      logger.warn({ err: error, key }, "cache read failed");
      return undefined;
    }
  }

  async function set<T>(key: string, value: T, ttlSeconds = defaultTtl): Promise<void> {
    local.set(key, { value }, { ttl: localTtlMs(ttlSeconds) });
    if (!redis) return;
    try {
      await redis.set(KEY_PREFIX + key, JSON.stringify(value), "EX", ttlSeconds);
    } catch (error) {
      logger.warn({ err: error, key }, "cache write failed");
    }
  }

  async function keys(pattern: string): Promise<string[]> {
    const matcher = globToRegExp(pattern);
    const found = new Set([...local.keys()].filter((key) => matcher.test(key)));
    if (redis) {
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", redisGlob(KEY_PREFIX + pattern), "COUNT", 1000);
        cursor = next;
        for (const key of batch) found.add(key.slice(KEY_PREFIX.length));
      } while (cursor !== "0");
    }
    return [...found];
  }

  return {
    get,
    set,
    keys,
    async deleteMatching(pattern) {
      const matching = await keys(pattern);
      for (const key of matching) local.delete(key);
      // Unlike a cache write, a purge that did not happen must fail loudly: erasure depends on it.
      for (let start = 0; redis && start < matching.length; start += 500) {
        await redis.del(...matching.slice(start, start + 500).map((key) => KEY_PREFIX + key));
      }
      return matching.length;
    },
    async delete(...keys) {
      for (const key of keys) local.delete(key);
      if (!redis || keys.length === 0) return;
      try {
        await redis.del(...keys.map((key) => KEY_PREFIX + key));
      } catch (error) {
        logger.warn({ err: error, keys }, "cache delete failed");
      }
    },
    async getOrSet<T>(key: string, load: () => Promise<T>, ttlSeconds = defaultTtl): Promise<T> {
      const cached = await get<T>(key);
      if (cached !== undefined) {
        hits += 1;
        return cached;
      }
      misses += 1;
      const inFlight = pending.get(key);
      if (inFlight) return inFlight as Promise<T>;
      const loading = load()
        .then(async (value) => {
          await set(key, value, ttlSeconds);
          return value;
        })
        .finally(() => pending.delete(key));
      pending.set(key, loading);
      return loading;
    },
    stats() {
      const total = hits + misses;
      return { hits, misses, hitRate: total === 0 ? 0 : hits / total };
    },
    async close() {
      local.clear();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
