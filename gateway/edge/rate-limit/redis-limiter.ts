import type { Logger } from "../../../lib/logger.ts";
import { createRedisClient, type Redis } from "../../../lib/redis.ts";
import type { RateLimiter } from "./limiter.ts";
import { chargeableUnits, decide, WINDOW_MS, windowIndex } from "./sliding-window.ts";

/**
 * Reads both windows, decides, and charges in one atomic step, so gateway
 * instances sharing this Redis never both spend the same last unit.
 * KEYS: current window, previous window. ARGV: units, limit, elapsed fraction, ttl ms.
 * Returns { allowed (0|1), previous, current after the decision }.
 */
const SLIDING_WINDOW_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local units = tonumber(ARGV[1])
if previous * (1 - tonumber(ARGV[3])) + current + units > tonumber(ARGV[2]) then
  return {0, previous, current}
end
current = redis.call('INCRBY', KEYS[1], units)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, previous, current}
`;

type SlidingWindowRedis = Redis & {
  slidingWindow(current: string, previous: string, units: number, limit: number, fraction: number, ttlMs: number): Promise<[number, number, number]>;
};

/**
 * The sliding window in Redis, shared by every gateway instance. If Redis cannot
 * answer, the request is let through (and logged): losing the limiter for a moment
 * must not take the API down with it.
 */
export function createRedisRateLimiter(url: string, keyPrefix: string, logger: Logger, options: { now?: () => number } = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const redis = createRedisClient(url, logger, "rate-limit") as SlidingWindowRedis;
  redis.defineCommand("slidingWindow", { numberOfKeys: 2, lua: SLIDING_WINDOW_SCRIPT });
  return {
    kind: "redis",
    async consume(key, units, limitPerMinute) {
      const at = now();
      const window = windowIndex(at);
      const charge = chargeableUnits(units, limitPerMinute);
      try {
        const [allowed, previous, current] = await redis.slidingWindow(
          `${keyPrefix}${key}:${window}`,
          `${keyPrefix}${key}:${window - 1}`,
          charge,
          limitPerMinute,
          (at % WINDOW_MS) / WINDOW_MS,
          2 * WINDOW_MS,
        );
        return decide({ previous, current }, charge, limitPerMinute, at, allowed === 1);
      } catch (error) {
        logger.warn({ err: error }, "rate limiter unavailable; request let through");
        return { allowed: true, limit: limitPerMinute, remaining: limitPerMinute, retryAfterSeconds: 0 };
      }
    },
    async forget(key) {
      // The counters' names are known, so no SCAN: a write in window w - 2 lives until the end of w,
      // and one window ahead covers a gateway whose clock runs early.
      const window = windowIndex(now());
      await redis.del(...[window - 2, window - 1, window, window + 1].map((index) => `${keyPrefix}${key}:${index}`));
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
