import { Redis } from "ioredis";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker.ts";
import type { Logger } from "./logger.ts";

export type { Redis };

/** How long a command issued before the client's very first connection waits for it. */
const FIRST_CONNECT_WAIT_MS = 2_000;

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
    ...(profile === "request" ? { enableOfflineQueue: false, maxRetriesPerRequest: 0 } : { enableOfflineQueue: true, maxRetriesPerRequest: 2 }),
    // A subscriber's SUBSCRIBE can reach the server before the ready check's INFO, which
    // Redis then refuses in subscriber mode (ioredis#2037), leaving the bus deaf.
    ...(profile === "subscriber" ? { enableReadyCheck: false, maxRetriesPerRequest: null } : {}),
  });
  client.once("ready", () => connectedOnce.add(client));
  if (profile === "request") timeOutCommandsAfter(client, options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
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

/**
 * ioredis' own command timeout fires in the event loop's timers phase, before the
 * poll phase reads the socket: after the loop was busy for longer than the timeout
 * (a GC pause, a long synchronous task under load), a reply that had arrived in time
 * is dropped as "timed out". The rate limiter then lets through a request Redis had
 * refused, and the cache recomputes what it held, just when the process is busiest. This
 * timeout gives way to the poll phase first (setImmediate runs after it), so it only
 * fires when Redis really has not answered.
 */
function timeOutCommandsAfter(client: Redis, timeoutMs: number): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, ...rest) => {
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!command.isResolved) command.reject(new Error("Command timed out"));
      });
    }, timeoutMs);
    command.promise.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    return send(command, ...rest);
  }) as Redis["sendCommand"];
}

/** Clients connected at least once (they may be reconnecting now). */
const connectedOnce = new WeakSet<Redis>();

const firstConnections = new WeakMap<Redis, Promise<void>>();

/**
 * Waits (briefly) for a client's very first connection. A "request" client fails
 * commands at once while disconnected; before it ever connected that is not an
 * outage but a process that just started, and a decision that must not be skipped
 * (a rate limit, an event) waits for it rather than go without Redis. The wait is
 * one per client: a process started while Redis is down pays it once, not per request.
 */
export function firstConnection(client: Redis, waitMs = FIRST_CONNECT_WAIT_MS): Promise<void> {
  if (client.status === "ready" || connectedOnce.has(client)) return Promise.resolve();
  let waiting = firstConnections.get(client);
  if (!waiting) {
    waiting = new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      client.once("ready", done);
      function done() {
        clearTimeout(timer);
        client.off("ready", done);
        resolve();
      }
    });
    firstConnections.set(client, waiting);
  }
  return waiting;
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
