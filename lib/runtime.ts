import { createCache, type Cache } from "./cache.ts";
import type { Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createPubSub, type EventBus } from "./pubsub.ts";

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
  close(): Promise<void>;
}

/** `db` lets a caller that already holds the database (a test, a migration job) share it. */
export async function createRuntime(config: Config, service: string, existing: { db?: Database } = {}): Promise<Runtime> {
  const logger = createLogger(config, service);
  const db = existing.db ?? (await openDatabase(config));
  const cache = createCache(config, logger);
  const pubsub = createPubSub(config, logger);
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
    async close() {
      await Promise.allSettled([cache.close(), pubsub.close()]);
      await db.close();
    },
  };
}
