import { LRUCache } from "lru-cache";
import type { Logger } from "../../../lib/logger.ts";
import { createRedisClient, firstConnection, type Redis } from "../../../lib/redis.ts";
import type { RateLimiter } from "./limiter.ts";
import { chargeableUnits, decide, WINDOW_MS, windowIndex, type RateLimitDecision } from "./sliding-window.ts";

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

/** Redis's decision for one request, or the let-through when Redis did not answer. */
interface Asked {
  decision: RateLimitDecision;
  answered: boolean;
}

const letThrough = (limit: number): RateLimitDecision => ({ allowed: true, limit, remaining: limit, retryAfterSeconds: 0 });

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
 * An instance takes one lease at a time per caller: requests arriving while it is being
 * taken wait for it and spend from it.
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
  // The lease being taken for each caller: its other requests wait for it rather than each take a lease
  // of its own. Without this, 100 requests arriving together (a busy caller, or any caller at the turn
  // of a minute) each charged a lease: 100 × 1 % spent the whole allowance and the caller was refused.
  const leasing = new Map<string, Promise<Asked>>();

  const spendLeased = (key: string, window: number, charge: number, limitPerMinute: number): RateLimitDecision | null => {
    const lease = leases.get(key);
    if (!lease || lease.window !== window || lease.limit !== limitPerMinute || lease.units < charge) return null;
    lease.units -= charge;
    lease.remaining -= charge;
    return { allowed: true, limit: limitPerMinute, remaining: Math.max(0, lease.remaining), retryAfterSeconds: 0 };
  };

  const askRedis = async (key: string, at: number, window: number, charge: number, limitPerMinute: number, lease: number): Promise<Asked> => {
    try {
      await firstConnection(redis);
      const [allowed, previous, current, leased] = await redis.slidingWindow(
        `${keyPrefix}${key}:${window}`,
        `${keyPrefix}${key}:${window - 1}`,
        charge,
        limitPerMinute,
        (at % WINDOW_MS) / WINDOW_MS,
        2 * WINDOW_MS,
        lease,
      );
      const decision = decide({ previous, current }, charge, limitPerMinute, at, allowed === 1);
      if (leased > 0) leases.set(key, { window, limit: limitPerMinute, units: leased, remaining: decision.remaining + leased });
      else leases.delete(key);
      return { decision: { ...decision, remaining: decision.allowed ? decision.remaining + leased : decision.remaining }, answered: true };
    } catch (error) {
      logger.warn({ err: error }, "rate limiter unavailable; request let through");
      return { decision: letThrough(limitPerMinute), answered: false };
    }
  };

  return {
    kind: "redis",
    async consume(key, units, limitPerMinute) {
      const charge = chargeableUnits(units, limitPerMinute);
      const lease = leaseSize(limitPerMinute);
      for (;;) {
        const at = now();
        const window = windowIndex(at);
        const leased = spendLeased(key, window, charge, limitPerMinute);
        if (leased) return leased;
        const pending = lease > 0 ? leasing.get(key) : undefined;
        if (pending) {
          const { decision, answered } = await pending;
          // Redis did not answer the request ahead: neither would it answer this one in time.
          if (!answered) return letThrough(limitPerMinute);
          // Refused: this request's own exact answer, asked without a lease and without queueing behind others.
          if (!decision.allowed) return (await askRedis(key, at, window, charge, limitPerMinute, 0)).decision;
          continue;
        }
        // Small allowances are exact: every request asks Redis, concurrently.
        if (lease === 0) return (await askRedis(key, at, window, charge, limitPerMinute, 0)).decision;
        // Registered before the first await, so the requests behind this one see it.
        const asked = askRedis(key, at, window, charge, limitPerMinute, lease);
        leasing.set(key, asked);
        try {
          return (await asked).decision;
        } finally {
          leasing.delete(key);
        }
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
