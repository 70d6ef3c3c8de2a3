import { LRUCache } from "lru-cache";
import type { Logger } from "../../../lib/logger.ts";
import { createRedisClient, firstConnection, type Redis } from "../../../lib/redis.ts";
import type { RateLimiter } from "./limiter.ts";
import { chargeableUnits, decide, WINDOW_MS, windowIndex } from "./sliding-window.ts";

/**
 * Reads both windows, decides, and charges in one atomic step, so gateway
 * instances sharing this Redis never both spend the same last unit. With a lease
 * wanted, it charges up to that many more units (never past the limit) for the
 * instance to spend locally.
 * KEYS: current window, previous window. ARGV: units, limit, elapsed fraction, ttl ms, lease wanted.
 * Returns { allowed (0|1), previous, current after the decision, units leased }.
 */
const SLIDING_WINDOW_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local units = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local used = previous * (1 - tonumber(ARGV[3])) + current
if used + units > limit then
  return {0, previous, current, 0}
end
local lease = math.max(0, math.min(tonumber(ARGV[5]), math.floor(limit - used - units)))
current = redis.call('INCRBY', KEYS[1], units + lease)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, previous, current, lease}
`;

type SlidingWindowRedis = Redis & {
  slidingWindow(current: string, previous: string, units: number, limit: number, fraction: number, ttlMs: number, lease: number): Promise<[number, number, number, number]>;
};

/**
 * Share of a caller's allowance one instance charges ahead and then spends without
 * asking Redis. Below LEASE_SHARE × limit = 2 units (limits under 200 a minute) every
 * request asks Redis, so small allowances stay exact across instances.
 */
const LEASE_SHARE = 0.01;
const leaseSize = (limit: number) => {
  const size = Math.floor(limit * LEASE_SHARE);
  return size >= 2 ? size : 0;
};

/** Units this instance has charged in Redis for a caller but not yet spent, in one window. */
interface Lease {
  window: number;
  limit: number;
  units: number;
  /** What the caller had left in the sliding minute when the lease was taken, the lease included. */
  remaining: number;
}

/**
 * The sliding window in Redis, shared by every gateway instance. A large allowance
 * is spent through leases: an instance charges 1 % of the caller's allowance ahead,
 * with the request that needed it, and spends it locally, so a busy caller costs one
 * Redis round trip per hundredth of its allowance instead of one per request. The price: a caller
 * may be refused while other instances still hold unspent leased units, at most 1 %
 * of its allowance per instance (a lease is never returned; it ages out with its window).
 * If Redis cannot answer, the request is let through (and logged): losing the limiter
 * for a moment must not take the API down with it. A gateway that has just started
 * waits for its first connection instead, so a restart is not a window without limits.
 */
export function createRedisRateLimiter(
  url: string,
  keyPrefix: string,
  logger: Logger,
  options: { now?: () => number; maxKeys?: number; commandTimeoutMs?: number } = {},
): RateLimiter {
  const now = options.now ?? Date.now;
  const redis = createRedisClient(url, logger, "rate-limit", { autoPipelining: true, commandTimeoutMs: options.commandTimeoutMs }) as SlidingWindowRedis;
  redis.defineCommand("slidingWindow", { numberOfKeys: 2, lua: SLIDING_WINDOW_SCRIPT });
  const leases = new LRUCache<string, Lease>({ max: options.maxKeys ?? 100_000, ttl: WINDOW_MS });
  return {
    kind: "redis",
    async consume(key, units, limitPerMinute) {
      const at = now();
      const window = windowIndex(at);
      const charge = chargeableUnits(units, limitPerMinute);
      const lease = leases.get(key);
      if (lease && lease.window === window && lease.limit === limitPerMinute && lease.units >= charge) {
        lease.units -= charge;
        lease.remaining -= charge;
        return { allowed: true, limit: limitPerMinute, remaining: Math.max(0, lease.remaining), retryAfterSeconds: 0 };
      }
      try {
        await firstConnection(redis);
        const [allowed, previous, current, leased] = await redis.slidingWindow(
          `${keyPrefix}${key}:${window}`,
          `${keyPrefix}${key}:${window - 1}`,
          charge,
          limitPerMinute,
          (at % WINDOW_MS) / WINDOW_MS,
          2 * WINDOW_MS,
          leaseSize(limitPerMinute),
        );
        const decision = decide({ previous, current }, charge, limitPerMinute, at, allowed === 1);
        if (leased > 0) leases.set(key, { window, limit: limitPerMinute, units: leased, remaining: decision.remaining + leased });
        else leases.delete(key);
        return { ...decision, remaining: decision.allowed ? decision.remaining + leased : decision.remaining };
      } catch (error) {
        logger.warn({ err: error }, "rate limiter unavailable; request let through");
        return { allowed: true, limit: limitPerMinute, remaining: limitPerMinute, retryAfterSeconds: 0 };
      }
    },
    async forget(key) {
      leases.delete(key);
      // The counters' names are known, so no SCAN: a write in window w - 2 lives until the end of w,
      // and one window ahead covers a gateway whose clock runs early.
      const window = windowIndex(now());
      await redis.del(...[window - 2, window - 1, window, window + 1].map((index) => `${keyPrefix}${key}:${index}`));
    },
    async close() {
      leases.clear();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
