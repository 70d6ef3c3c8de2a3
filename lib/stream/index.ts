import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { DurableStream } from "./durable-stream.ts";
import { createMemoryStream } from "./memory-stream.ts";
import { createRedisStream } from "./redis-stream.ts";

export type { ConsumeOptions, DeadLetter, DurableStream, StreamConsumer, StreamMessage } from "./durable-stream.ts";

/** The name of the stream every interaction is appended to. */
export const INTERACTIONS_STREAM = "interactions";

type StreamConfig = Pick<Config, "REDIS_URL" | "STREAM_KEY_PREFIX" | "STREAM_MAX_DELIVERIES" | "STREAM_CLAIM_IDLE_MS">;

export function createDurableStream(config: StreamConfig, logger: Logger): DurableStream {
  const settings = { maxDeliveries: config.STREAM_MAX_DELIVERIES, claimIdleMs: config.STREAM_CLAIM_IDLE_MS, batchSize: 100 };
  const streamLogger = logger.child({ component: "stream" });
  return config.REDIS_URL
    ? createRedisStream(config.REDIS_URL, config.STREAM_KEY_PREFIX, settings, streamLogger)
    : createMemoryStream(settings, streamLogger);
}
