import { EventEmitter } from "node:events";
import { PubSub, type PubSubEngine } from "graphql-subscriptions";
import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { createRedisClient } from "./redis.ts";

export { Topics, type Topic } from "./events/topics.ts";

export interface EventBus extends PubSubEngine {
  readonly kind: "memory" | "redis";
  close(): Promise<void>;
}

/**
 * In-process pub/sub for the embedded single-process mode; Redis pub/sub when
 * REDIS_URL is set, so events cross service processes.
 */
export function createPubSub(options: Pick<Config, "REDIS_URL"> & Partial<Pick<Config, "STREAM_KEY_PREFIX">>, logger: Logger): EventBus {
  if (!options.REDIS_URL) {
    // One listener per open subscription: a thousand subscribers are normal, not a leak.
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    const pubsub = new PubSub({ eventEmitter }) as PubSub & EventBus;
    return Object.assign(pubsub, { kind: "memory" as const, close: async () => {} });
  }
  const publisher = createRedisClient(options.REDIS_URL, logger, "publisher");
  const subscriber = createRedisClient(options.REDIS_URL, logger, "subscriber", { subscriber: true });
  const pubsub = new RedisPubSub({ publisher, subscriber });
  // Bound before Object.assign replaces them on the instance (else each would call itself).
  const closeRedis = pubsub.close.bind(pubsub);
  const publish = pubsub.publish.bind(pubsub);
  const subscribe = pubsub.subscribe.bind(pubsub);
  // Channels carry the deployment's prefix, as its keys do: deployments (or test runs) sharing a Redis never hear each other.
  const prefix = options.STREAM_KEY_PREFIX ?? "";
  return Object.assign(pubsub, {
    kind: "redis" as const,
    publish: (topic: string, payload: unknown) => publish(prefix + topic, payload),
    subscribe: (topic: string, onMessage: (message: unknown) => void, subscribeOptions?: unknown) => subscribe(prefix + topic, onMessage, subscribeOptions as never),
    async close() {
      await closeRedis();
    },
  }) as unknown as EventBus;
}
