import { Redis } from "ioredis";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker.ts";
import type { Logger } from "./logger.ts";

export type { Redis };

/**
 * How a client behaves while Redis is away:
 * - "request": on a request's path (cache, rate limits, persisted queries). Commands
 *   never queue while disconnected and time out after tens of ms: Redis accelerates
 *   a request, it must never hold one.
 * - "background": relays, consumers, one-shot scripts. Commands queue while
 *   reconnecting (bounded by retries) and have no command timeout, so blocking reads work.
 * - "subscriber": a pub/sub subscriber connection (resubscribes by itself on reconnect).
 */
export type RedisProfile = "request" | "background" | "subscriber";

export interface RedisClientOptions {
  profile?: RedisProfile;
  /** Command timeout of the "request" profile. */
  commandTimeoutMs?: number;
  /**
   * Commands issued in one turn of the event loop leave in one write (ioredis auto-pipelining):
   * for clients that send a command or two per request, so concurrent requests share a system call.
   */
  autoPipelining?: boolean;
}

export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 50;
/** Reconnect quickly (Redis restarts take about a second) but never spin. */
const MAX_RECONNECT_DELAY_MS = 1_000;

export function createRedisClient(url: string, logger: Logger, role: string, options: RedisClientOptions = {}): Redis {
  const profile = options.profile ?? "request";
  const client = new Redis(url, {
    connectionName: `shelfgraph-${role}`,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    connectTimeout: profile === "request" ? 1_000 : 5_000,
    enableAutoPipelining: options.autoPipelining ?? false,
    ...(profile === "request"
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS }
      : { enableOfflineQueue: true, maxRetriesPerRequest: 2 }),
    // A subscriber's SUBSCRIBE can reach the server before the ready check's INFO, which
    // Redis then refuses in subscriber mode (ioredis#2037), leaving the bus deaf.
    ...(profile === "subscriber" ? { enableReadyCheck: false, maxRetriesPerRequest: null } : {}),
  });
  let lastError = "";
  client.on("error", (error: Error) => {
    // One line per distinct failure, not one per reconnect attempt.
    if (error.message !== lastError) logger.warn({ err: error, role }, "redis connection error");
    lastError = error.message;
  });
  client.on("ready", () => {
    if (lastError) logger.info({ role }, "redis connection restored");
    lastError = "";
  });
  return client;
}

/** Consecutive failed commands that open a Redis circuit. */
const BREAKER_FAILURE_THRESHOLD = 3;
/** How long an open Redis circuit waits before one probe command goes through. */
const BREAKER_OPEN_MS = 1_000;

/**
 * A circuit breaker for one Redis client: open after a few failed commands (a hung
 * or unreachable server), so requests skip Redis without paying the timeout; probed
 * back after a second, and closed at once when the client reconnects.
 */
export function redisBreaker(client: Redis, logger: Logger, role: string, onStateChange?: (state: CircuitState) => void): CircuitBreaker {
  const breaker = new CircuitBreaker(`redis:${role}`, {
    failureThreshold: BREAKER_FAILURE_THRESHOLD,
    openMs: BREAKER_OPEN_MS,
    onStateChange: (state, previous) => {
      if (state === "open") logger.warn({ role, previous }, "redis circuit open: serving without redis");
      if (state === "closed") logger.info({ role, previous }, "redis circuit closed");
      onStateChange?.(state);
    },
  });
  // The reconnect is the best probe there is: no request needs to pay for it.
  client.on("ready", () => breaker.succeeded());
  return breaker;
}
