/**
 * The supergraph bench/subscription-latency.ts measures. Embedded: PGlite, the
 * in-process bus and stream, everything in this process (as `npm start`). With
 * DATABASE_URL and REDIS_URL: a fresh PostgreSQL database and Redis namespaces, the
 * subgraphs in this process, the stream roles and the gateway each their own process
 * (as `npm run start:stream` and `npm run start:gateway`), so every event crosses Redis.
 */
import { loadConfig } from "../../lib/config.ts";
import { applyMigrations } from "../../lib/db/migrate.ts";
import { createRuntime, type Runtime } from "../../lib/runtime.ts";
import { seedDemoData } from "../../prisma/seed/index.ts";
import { startSupergraph } from "../../supergraph.ts";
import { databaseTargets, type TestDatabase } from "../../test/support/databases.ts";
import { freePort } from "../../test/support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "../../test/support/processes.ts";
import { redisNamespace } from "../../test/support/redis-namespace.ts";
import { trainTestModels } from "../../test/support/trained-models.ts";

export interface LatencySetup {
  readonly description: string;
  readonly runtime: Runtime;
  readonly gatewayUrl: string;
  stop(): Promise<void>;
}

export async function startLatencySetup(): Promise<LatencySetup> {
  const multiProcess = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
  const target = databaseTargets().find((candidate) => candidate.name === (multiProcess ? "postgres" : "pglite"))!;
  const database: TestDatabase = await target.create();
  const stops: (() => Promise<unknown>)[] = [() => database.drop()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    await applyMigrations(database.db);
    await seedDemoData(database.db, { books: 400, users: 300, seed: 3 });
    const redisUrl = multiProcess ? process.env.REDIS_URL : undefined;
    const namespace = redisNamespace(redisUrl, "bench", "latency");
    // Stops run last first: the namespace goes once the runtime, the last writer, has closed.
    stops.push(() => namespace.drop());
    const shared = {
      NODE_ENV: "test",
      REDIS_URL: redisUrl,
      ...namespace.env,
      RATE_LIMIT_PER_MINUTE: "1000000",
      RESPONSE_CACHE: "false",
    };
    const config = loadConfig({ ...shared, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent" });
    const runtime = await createRuntime(config, "bench", { db: database.db });
    stops.push(() => runtime.close());
    const supergraph = await startSupergraph(runtime, { gateway: 0, users: 0, books: 0, recommendations: 0, experiments: 0 }, multiProcess ? { streamRoles: [] } : {});
    stops.push(() => supergraph.stop());
    const models = await trainTestModels(runtime);
    stops.push(() => models.remove());
    if (!multiProcess) {
      return { description: "embedded (PGlite, in-process bus and stream, one process)", runtime, gatewayUrl: supergraph.gateway.url, stop };
    }

    const children: ServiceProcess[] = [];
    stops.push(() => Promise.all(children.map((child) => child.stop())));
    const env = { ...shared, ...database.env, MODEL_ARTIFACTS_DIR: models.artifactsDir };
    const streamRoles = startServiceProcess("lib/stream/main.ts", env);
    children.push(streamRoles);
    const port = await freePort();
    const subgraphs = supergraph.subgraphs;
    const gateway = startServiceProcess("gateway/main.ts", {
      ...env,
      GATEWAY_PORT: String(port),
      USERS_URL: subgraphs.users.url,
      BOOKS_URL: subgraphs.books.url,
      RECOMMENDATIONS_URL: subgraphs.recommendations.url,
      EXPERIMENTS_URL: subgraphs.experiments.url,
    });
    children.push(gateway);
    await Promise.all([streamRoles.waitForLine(logMessage("stream consumers running")), gateway.waitForLine(logMessage("gateway listening"))]);
    return {
      description: "multi-process (PostgreSQL + Redis; gateway and stream roles each their own process, subgraphs together in a third)",
      runtime,
      gatewayUrl: `http://127.0.0.1:${port}/graphql`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
