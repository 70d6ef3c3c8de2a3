import { EventEmitter } from "node:events";
import { PubSub, type PubSubEngine } from "graphql-subscriptions";
import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { CircuitOpenError } from "./circuit-breaker.ts";
import { createRedisClient, firstConnection, redisBreaker } from "./redis.ts";

export { Topics, type Topic } from "./events/topics.ts";

export interface EventBus extends PubSubEngine {
  readonly kind: "memory" | "redis";
  close(): Promise<void>;
}

/**
 * A publish may take longer than a cache read: losing an event costs more than a
 * cache miss (a model switch nobody hears of), and a busy host can stall a healthy
 * Redis for more than the cache's tens of ms. Still "a few hundred ms" at most, and
 * only until the circuit opens.
 */
const MIN_PUBLISH_TIMEOUT_MS = 300;

/**
 * In-process pub/sub for the embedded single-process mode; Redis pub/sub when
 * REDIS_URL is set, so events cross service processes.
 *
 * A publish happens on a request's path (a rating's interaction event): it fails
 * within the command timeout, or at once while the circuit is open, and the caller
 * decides what losing it means. It never waits for Redis to come back.
 */
export function createPubSub(
  options: Pick<Config, "REDIS_URL"> & Partial<Pick<Config, "REDIS_COMMAND_TIMEOUT_MS" | "STREAM_KEY_PREFIX">>,
  logger: Logger,
): EventBus {
  if (!options.REDIS_URL) {
    // One listener per open subscription: a thousand subscribers are normal, not a leak.
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    const pubsub = new PubSub({ eventEmitter }) as PubSub & EventBus;
    return Object.assign(pubsub, { kind: "memory" as const, close: async () => {} });
  }
  const publisher = createRedisClient(options.REDIS_URL, logger, "publisher", {
    profile: "request",
    commandTimeoutMs: Math.max(options.REDIS_COMMAND_TIMEOUT_MS ?? 0, MIN_PUBLISH_TIMEOUT_MS),
  });
  const subscriber = createRedisClient(options.REDIS_URL, logger, "subscriber", { profile: "subscriber" });
  const breaker = redisBreaker(publisher, logger, "publisher");
  const pubsub = new RedisPubSub({ publisher, subscriber });
  // Bound before Object.assign replaces them on the instance (else they would call themselves).
  const closeRedis = pubsub.close.bind(pubsub);
  const publishToRedis = pubsub.publish.bind(pubsub);
  const subscribe = pubsub.subscribe.bind(pubsub);
  // Channels carry the deployment's prefix, as its keys do: deployments (or test runs) sharing a Redis never hear each other.
  const prefix = options.STREAM_KEY_PREFIX ?? "";
  return Object.assign(pubsub, {
    kind: "redis" as const,
    async publish(trigger: string, payload: unknown): Promise<void> {
      await firstConnection(publisher);
      await breaker.run(() => publishToRedis(prefix + trigger, payload));
    },
    subscribe: (topic: string, onMessage: (message: unknown) => void, subscribeOptions?: unknown) => subscribe(prefix + topic, onMessage, subscribeOptions as never),
    async close() {
      await closeRedis();
    },
  }) as unknown as EventBus;
}

export { CircuitOpenError };
