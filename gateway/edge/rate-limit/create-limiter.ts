import type { Config } from "../../../lib/config.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { RateLimiter } from "./limiter.ts";
import { createMemoryRateLimiter } from "./memory-limiter.ts";
import { createRedisRateLimiter } from "./redis-limiter.ts";

/** Redis (shared by all gateway instances) when REDIS_URL is set, in process otherwise. */
export function createRateLimiter(config: Pick<Config, "REDIS_URL" | "CACHE_KEY_PREFIX" | "REDIS_COMMAND_TIMEOUT_MS">, logger: Logger): RateLimiter {
  return config.REDIS_URL
    ? createRedisRateLimiter(config.REDIS_URL, `${config.CACHE_KEY_PREFIX}rate:`, logger, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS })
    : createMemoryRateLimiter();
}
