import { LRUCache } from "lru-cache";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { cacheRequests } from "./metrics/metrics.ts";
import type { CircuitBreaker, CircuitState } from "./circuit-breaker.ts";
import { createRedisClient, redisBreaker, type Redis } from "./redis.ts";

/**
 * A JSON value cache with TTLs. Embedded mode keeps it in process; with REDIS_URL
 * an in-process LRU sits in front of Redis, so hot keys cost no round trip and all
 * replicas share what any of them computed.
 *
 * Redis only ever accelerates: reads time out in tens of ms and count as misses,
 * a circuit breaker skips Redis entirely while it is down, writes are never awaited
 * by the request, and the in-process layer keeps serving (for longer) meanwhile.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds?: number): Promise<void>;
  /** One value under several keys, each with its own TTL (a fresh and a stale copy, say): serialised once, one Redis round trip. */
  setMany<T>(entries: readonly CacheEntryKey[], value: T): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Returns the cached value, or loads, stores and returns it; concurrent misses share one load. */
  getOrSet<T>(key: string, load: () => Promise<T>, ttlSeconds?: number): Promise<T>;
  /** Keys matching a glob pattern (`*` any run of characters), in both layers: erasure and its proof need them. */
  keys(pattern: string): Promise<string[]>;
  /**
   * Deletes every key matching a glob pattern, in both layers; returns how many distinct keys were found.
   * Unlike the request path it goes to Redis directly and fails loudly: erasure depends on it.
   */
  deleteMatching(pattern: string): Promise<number>;
  stats(): CacheStats;
  close(): Promise<void>;
}

export interface CacheEntryKey {
  readonly key: string;
  readonly ttlSeconds?: number;
}

/** An entry's weight in the local layer: its JSON length (at least 1, as lru-cache requires). */
const sizeOf = (json: string) => Math.max(1, json.length);

const globToRegExp = (pattern: string) =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
/** Redis MATCH treats ?, [ and \ as special too: escape them so the pattern means what the in-process layer reads. */
const redisGlob = (pattern: string) => pattern.replace(/[?[\]\\]/g, "\\$&");

export interface CacheStats {
  hits: number;
  misses: number;
  hitRate: number;
  /** "closed" when Redis is in use (or absent), "open"/"half-open" while the cache serves without it. */
  redis: CircuitState | "none";
  /** Redis commands that failed or were skipped by the open circuit. */
  redisFailures: number;
  /** Invalidations waiting for Redis to return. */
  pendingDeletes: number;
}

type CacheOptions = Pick<Config, "REDIS_URL" | "CACHE_TTL_SECONDS" | "CACHE_MAX_ENTRIES"> &
  Partial<Pick<Config, "CACHE_KEY_PREFIX" | "REDIS_COMMAND_TIMEOUT_MS" | "CACHE_MAX_MB" | "NEAR_CACHE_MAX_MB">> & {
    /** Told of every change of the Redis circuit (metrics). */
    onRedisStateChange?: (state: CircuitState) => void;
  };

/** How long an entry stays in the in-process layer in front of Redis: short, so invalidations elsewhere land quickly. */
const NEAR_CACHE_TTL_SECONDS = 5;
/** While Redis is down the in-process layer is the only cache: it keeps entries longer. */
const OUTAGE_NEAR_CACHE_TTL_SECONDS = 60;
/** Invalidations remembered while Redis is down, replayed when it returns; beyond this the oldest are dropped (their entries expire by TTL). */
const MAX_PENDING_DELETES = 10_000;

/** How often expired entries leave the in-process layer (lru-cache only drops them when read or evicted). */
const PURGE_INTERVAL_MS = 5_000;
const DEFAULT_MAX_MB = 32;
const DEFAULT_NEAR_MAX_MB = 8;

export function createCache(options: CacheOptions, logger: Logger): Cache {
  // Bounded by the entries' JSON size as well as their count: a count alone let 50,000
  // recommendation lists of a few KB each (and, in front of Redis, long-expired ones
  // nobody read again) pile up in the heap (bench/README.md, "Memory"). In front of
  // Redis the layer only spares hot keys a round trip, for 5 s: a heap snapshot of
  // recommendations under load found it full of parsed lists (8 MiB against 32: peak
  // RSS 459/466 vs 523/531 MB from cold, within the noise once warmed up).
  const maxMb = options.REDIS_URL ? (options.NEAR_CACHE_MAX_MB ?? DEFAULT_NEAR_MAX_MB) : (options.CACHE_MAX_MB ?? DEFAULT_MAX_MB);
  const local = new LRUCache<string, { value: unknown }>({
    max: options.CACHE_MAX_ENTRIES,
    maxSize: maxMb * 1024 * 1024,
    ttlAutopurge: false,
  });
  const purging = setInterval(() => local.purgeStale(), PURGE_INTERVAL_MS);
  purging.unref();
  const redis = options.REDIS_URL
    ? createRedisClient(options.REDIS_URL, logger, "cache", { profile: "request", commandTimeoutMs: options.REDIS_COMMAND_TIMEOUT_MS })
    : undefined;
  const breaker: CircuitBreaker | undefined = redis
    ? redisBreaker(redis, logger, "cache", (state) => {
        if (state === "closed") replayDeletes();
        options.onRedisStateChange?.(state);
      })
    : undefined;
  const defaultTtl = options.CACHE_TTL_SECONDS;
  const KEY_PREFIX = options.CACHE_KEY_PREFIX ?? "shelfgraph:cache:";
  const pending = new Map<string, Promise<unknown>>();
  const pendingDeletes = new Set<string>();
  let hits = 0;
  let misses = 0;
  let redisFailures = 0;
  let lastFailureLoggedAt = 0;

  const redisUsable = () => breaker !== undefined && breaker.state === "closed";
  const localTtlMs = (ttlSeconds: number) =>
    1000 * (!redis ? ttlSeconds : Math.min(ttlSeconds, redisUsable() ? NEAR_CACHE_TTL_SECONDS : OUTAGE_NEAR_CACHE_TTL_SECONDS));

  /** A Redis command through the breaker; undefined when Redis is skipped or failed (a miss, never an error). */
  async function tryRedis<T>(work: (client: Redis) => Promise<T>, what: string): Promise<T | undefined> {
    if (!redis || !breaker) return undefined;
    if (!breaker.allows()) {
      redisFailures += 1;
      return undefined;
    }
    try {
      const result = await work(redis);
      breaker.succeeded();
      // Redis answers again without having reconnected (it was hung, not gone).
      if (pendingDeletes.size > 0 && what !== "replay") replayDeletes();
      return result;
    } catch (error) {
      breaker.failed();
      redisFailures += 1;
      // An outage fails every command: one line a second says so without flooding the log.
      if (Date.now() - lastFailureLoggedAt > 1_000) {
        lastFailureLoggedAt = Date.now();
        logger.warn({ err: error, operation: what, failures: redisFailures }, "cache redis command failed; serving from the in-process cache");
      }
      return undefined;
    }
  }

  function replayDeletes(): void {
    if (pendingDeletes.size === 0) return;
    const keys = [...pendingDeletes];
    pendingDeletes.clear();
    logger.info({ keys: keys.length }, "replaying cache invalidations missed while redis was down");
    void removeFromRedis(keys, "replay");
  }

  async function removeFromRedis(keys: string[], what = "del"): Promise<void> {
    const done = await tryRedis((client) => client.del(...keys.map((key) => KEY_PREFIX + key)), what);
    if (done !== undefined) return;
    for (const key of keys) {
      // A Set keeps insertion order: dropping the first is dropping the oldest.
      if (pendingDeletes.size >= MAX_PENDING_DELETES) pendingDeletes.delete(pendingDeletes.values().next().value!);
      pendingDeletes.add(key);
    }
  }

  async function get<T>(key: string): Promise<T | undefined> {
    const near = local.get(key);
    cacheRequests.inc({ layer: "memory", result: near ? "hit" : "miss" });
    if (near) return near.value as T;
    if (!redis) return undefined;
    const raw = await tryRedis((client) => client.get(KEY_PREFIX + key), "get");
    // undefined: Redis was skipped (breaker open) or failed, which the request sees as a miss.
    cacheRequests.inc({ layer: "redis", result: raw === undefined ? "error" : raw === null ? "miss" : "hit" });
    if (raw === undefined || raw === null) return undefined;
    const value = JSON.parse(raw) as T;
    local.set(key, { value }, { ttl: localTtlMs(defaultTtl), size: sizeOf(raw) });
    return value;
  }

  /** Stores locally at once; the Redis write happens in the background and is never awaited by a request. */
  function set<T>(key: string, value: T, ttlSeconds = defaultTtl): Promise<void> {
    return setMany([{ key, ttlSeconds }], value);
  }

  async function setMany<T>(entries: readonly CacheEntryKey[], value: T): Promise<void> {
    // Serialised once: its length sizes the local entries, the text goes to Redis.
    const text = JSON.stringify(value) ?? "null";
    // The keys share one object in the heap, but each is sized in full: any of them may outlive the others.
    for (const { key, ttlSeconds = defaultTtl } of entries) local.set(key, { value }, { ttl: localTtlMs(ttlSeconds), size: sizeOf(text) });
    if (!redis || entries.length === 0) return;
    void tryRedis((client) => writeToRedis(client, entries, text), "set");
  }

  /** One key as a plain SET (a pipeline of one cost ~2x its CPU); several in one pipelined round trip. */
  async function writeToRedis(client: Redis, entries: readonly CacheEntryKey[], text: string): Promise<void> {
    if (entries.length === 1) {
      const { key, ttlSeconds = defaultTtl } = entries[0]!;
      await client.set(KEY_PREFIX + key, text, "EX", ttlSeconds);
      return;
    }
    const pipeline = client.pipeline();
    for (const { key, ttlSeconds = defaultTtl } of entries) pipeline.set(KEY_PREFIX + key, text, "EX", ttlSeconds);
    const replies = await pipeline.exec();
    const failed = replies?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  /**
   * SCAN walks the whole keyspace in many round trips: not work for the request client, whose
   * 50 ms command timeout a busy Redis exceeds (failing an erasure after its commit). Created on first use.
   */
  let scanner: Redis | undefined;
  const scanClient = () => (scanner ??= createRedisClient(options.REDIS_URL!, logger, "cache-scan", { profile: "background" }));

  async function keys(pattern: string): Promise<string[]> {
    const matcher = globToRegExp(pattern);
    const found = new Set([...local.keys()].filter((key) => matcher.test(key)));
    if (redis) {
      const client = scanClient();
      let cursor = "0";
      do {
        const [next, batch] = await client.scan(cursor, "MATCH", redisGlob(KEY_PREFIX + pattern), "COUNT", 1000);
        cursor = next;
        for (const key of batch) found.add(key.slice(KEY_PREFIX.length));
      } while (cursor !== "0");
    }
    return [...found];
  }

  return {
    get,
    set,
    setMany,
    keys,
    async deleteMatching(pattern) {
      const matching = await keys(pattern);
      for (const key of matching) local.delete(key);
      for (let start = 0; redis && start < matching.length; start += 500) {
        await scanClient().del(...matching.slice(start, start + 500).map((key) => KEY_PREFIX + key));
      }
      return matching.length;
    },
    async delete(...keys) {
      for (const key of keys) local.delete(key);
      if (!redis || keys.length === 0) return;
      // Awaited when Redis answers (the caller's next read must not see the old entry), remembered when it does not.
      await removeFromRedis(keys);
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
        .then((value) => {
          void set(key, value, ttlSeconds);
          return value;
        })
        .finally(() => pending.delete(key));
      pending.set(key, loading);
      return loading;
    },
    stats() {
      const total = hits + misses;
      return {
        hits,
        misses,
        hitRate: total === 0 ? 0 : hits / total,
        redis: breaker?.state ?? "none",
        redisFailures,
        pendingDeletes: pendingDeletes.size,
      };
    },
    async close() {
      clearInterval(purging);
      local.clear();
      if (redis) await redis.quit().catch(() => redis.disconnect());
      if (scanner) await scanner.quit().catch(() => scanner?.disconnect());
    },
  };
}
