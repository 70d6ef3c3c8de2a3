import { loadConfig } from "../../lib/config.ts";
import { applyMigrations } from "../../lib/db/migrate.ts";
import { createRuntime, type Runtime } from "../../lib/runtime.ts";
import { seedDemoData } from "../../prisma/seed/index.ts";
import { startSupergraph, type RunningSupergraph, type SupergraphOptions } from "../../supergraph.ts";
import type { DatabaseTarget, TestDatabase } from "./databases.ts";
import { redisNamespace } from "./redis-namespace.ts";

export interface TestSupergraph {
  runtime: Runtime;
  supergraph: RunningSupergraph;
  gatewayUrl: string;
  stop(): Promise<void>;
}

/**
 * The whole supergraph in this process on free ports, over a fresh migrated database
 * seeded with a small deterministic demo catalogue. With REDIS_URL set the cache and
 * pub/sub are Redis, as in production.
 */
export async function startTestSupergraph(
  target: DatabaseTarget,
  seed: { books: number; users: number; seed: number } = { books: 300, users: 200, seed: 7 },
  /** Settings on top of the test defaults (e.g. NODE_ENV=production with its JWT_SECRET, edge limits). */
  env: Record<string, string> = {},
  options: SupergraphOptions = {},
): Promise<TestSupergraph> {
  const database: TestDatabase = await target.create();
  // Each test supergraph has its own database, so it gets its own namespace in the shared Redis: cache, interaction stream, trending sets.
  const namespace = redisNamespace(process.env.REDIS_URL, "test");
  let opened: Runtime | undefined;
  try {
    await applyMigrations(database.db);
    await seedDemoData(database.db, seed);
    const config = loadConfig({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      NODE_ENV: "test",
      REDIS_URL: process.env.REDIS_URL,
      ...namespace.env,
      SUBGRAPH_TIMEOUT_MS: "5000",
      // Tests and benches are not rate-limited clients (every one of them calls from 127.0.0.1);
      // the rate-limit tests set their own allowance.
      RATE_LIMIT_PER_MINUTE: "1000000",
      // Tests read their own writes at once; the response-cache test switches the cache on.
      RESPONSE_CACHE: "false",
      ...env,
    });
    const runtime = await createRuntime(config, "test", { db: database.db });
    opened = runtime;
    const supergraph = await startSupergraph(runtime, { gateway: 0, users: 0, books: 0, recommendations: 0, experiments: 0 }, options);
    return {
      runtime,
      supergraph,
      gatewayUrl: supergraph.gateway.url,
      async stop() {
        await supergraph.stop();
        await runtime.close().catch(() => {});
        // Once nothing of it runs: its stream consumers and trending sets wrote until the runtime closed.
        await namespace.drop();
        await database.drop().catch(() => {});
      },
    };
  } catch (error) {
    // A start that failed halfway leaves no Redis client, namespace or database behind to hold the test process open.
    await opened?.close().catch(() => {});
    await namespace.drop();
    await database.drop().catch(() => {});
    throw error;
  }
}
