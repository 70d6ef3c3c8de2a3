import { Redis } from "ioredis";
import type { Logger } from "./logger.ts";

export type { Redis };

/**
 * ioredis client that keeps reconnecting (a Redis restart must not take a service
 * down) but fails commands fast instead of queueing them forever while offline.
 */
export function createRedisClient(url: string, logger: Logger, role: string, options: { subscriber?: boolean } = {}): Redis {
  const client = new Redis(url, {
    connectionName: `shelfgraph-${role}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    // A subscriber's SUBSCRIBE can reach the server before the ready check's INFO, which
    // Redis then refuses in subscriber mode (ioredis#2037), leaving the bus deaf.
    ...(options.subscriber ? { enableReadyCheck: false } : {}),
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
