import { createCache, type Cache } from "./cache.ts";
import type { Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createPubSub, Topics, type EventBus } from "./pubsub.ts";
import { createDurableStream, INTERACTIONS_STREAM, type DurableStream } from "./stream/index.ts";
import { OutboxRelay } from "./stream/outbox-relay.ts";
import { createTrendingStore, type TrendingStore } from "./trending/trending-store.ts";

/**
 * The process-wide resources a service needs. In the embedded mode one runtime is
 * shared by all services in the process (PGlite allows a single owner); as separate
 * processes each service builds its own from the same configuration.
 */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly cache: Cache;
  readonly pubsub: EventBus;
  /** The durable interaction stream (lib/stream), fed from the outbox by `outbox`. */
  readonly stream: DurableStream;
  /** Moves committed outbox rows to the stream; started by the processes that write or consume them. */
  readonly outbox: OutboxRelay;
  /** Decayed trending counts, written by the trending consumer, read by the recommendations subgraph. */
  readonly trending: TrendingStore;
  close(): Promise<void>;
}

/** `db` lets a caller that already holds the database (a test, a migration job) share it. */
export async function createRuntime(config: Config, service: string, existing: { db?: Database } = {}): Promise<Runtime> {
  const logger = createLogger(config, service);
  const db = existing.db ?? (await openDatabase(config));
  const cache = createCache(config, logger);
  const pubsub = createPubSub(config, logger);
  const stream = createDurableStream(config, logger);
  const trending = createTrendingStore(config, logger);
  const outbox = new OutboxRelay({
    prisma: db.prisma,
    stream,
    logger: logger.child({ component: "outbox-relay" }),
    pollMs: config.OUTBOX_POLL_MS,
    // Live fan-out of what reached the stream (public book activity): best effort, the stream is the record.
    onRelayed: (name, payloads) => {
      if (name !== INTERACTIONS_STREAM) return;
      for (const payload of payloads) pubsub.publish(Topics.INTERACTION, payload).catch((error: unknown) => logger.warn({ err: error }, "could not publish an interaction"));
    },
  });
  logger.info(
    { database: db.kind, cache: config.REDIS_URL ? "redis" : "memory", pubsub: pubsub.kind },
    "runtime ready",
  );
  return {
    config,
    logger,
    db,
    cache,
    pubsub,
    stream,
    outbox,
    trending,
    async close() {
      await outbox.stop();
      await Promise.allSettled([cache.close(), pubsub.close(), stream.close(), trending.close()]);
      await db.close();
    },
  };
}
