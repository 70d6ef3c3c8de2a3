import { PubSub, type PubSubEngine } from "graphql-subscriptions";
import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { createRedisClient } from "./redis.ts";

/** Topics on the event bus; payload shapes are documented beside each publisher. */
export const Topics = {
  /** A user expressed interest in a book: { userId, bookId, type, value, occurredAt }. */
  INTERACTION: "INTERACTION",
  /** A model version was promoted or rolled back: { name, version }. */
  MODEL_CHANGED: "MODEL_CHANGED",
  /** The ranked trending list of a window changed: { window, books: [{ bookId, readers, interactions }], changedAt } (lib/trending/trending-changed.ts). */
  TRENDING_CHANGED: "TRENDING_CHANGED",
  /** A reader deleted their account: { userId }. Every process drops what it holds of them in memory. */
  USER_ERASED: "USER_ERASED",
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

export interface EventBus extends PubSubEngine {
  readonly kind: "memory" | "redis";
  close(): Promise<void>;
}

/**
 * In-process pub/sub for the embedded single-process mode; Redis pub/sub when
 * REDIS_URL is set, so events cross service processes.
 */
export function createPubSub(options: Pick<Config, "REDIS_URL">, logger: Logger): EventBus {
  if (!options.REDIS_URL) {
    const pubsub = new PubSub() as PubSub & EventBus;
    return Object.assign(pubsub, { kind: "memory" as const, close: async () => {} });
  }
  const publisher = createRedisClient(options.REDIS_URL, logger, "publisher");
  const subscriber = createRedisClient(options.REDIS_URL, logger, "subscriber", { subscriber: true });
  const pubsub = new RedisPubSub({ publisher, subscriber });
  // Bound before Object.assign replaces `close` on the instance (else close() would call itself).
  const closeRedis = pubsub.close.bind(pubsub);
  return Object.assign(pubsub, {
    kind: "redis" as const,
    async close() {
      await closeRedis();
    },
  }) as unknown as EventBus;
}
