import { applyMigrations } from "./lib/db/migrate.ts";
import { createRuntime } from "./lib/runtime.ts";
import { loadConfigOrExit } from "./lib/config.ts";
import { serveMetrics } from "./lib/metrics/metrics-server.ts";
import { phaseTimer } from "./lib/metrics/phase-timer.ts";
import { stopOnSignals, type StopProcess } from "./lib/server/shutdown.ts";
import { generateDemoDataInWorker, pregenerateForFreshInstall, seedOptionsOf } from "./prisma/seed/generate-in-worker.ts";
import { isDatabaseEmpty, isFreshDatabase, seedDemoData } from "./prisma/seed/seed-demo-data.ts";
import { modelChangedPublisher } from "./ml-models/pipeline/publish.ts";
import { trainFirstStartSetAlongsideSeed } from "./ml-models/pipeline/first-start-alongside-seed.ts";
import { firstStartModels, replaceFirstStartSet } from "./ml-models/pipeline/first-start-set.ts";
import type { RunningTraining } from "./ml-models/pipeline/train-in-worker.ts";
import { startGatewayThreadAhead } from "./gateway/thread/gateway-thread-ahead.ts";

/**
 * `npm start`: the whole platform in one process (the gateway on a thread of its own).
 * On the embedded defaults that is PGlite under PGLITE_DATA_DIR plus in-process cache
 * and pub/sub; the first start applies the migrations and generates the demo catalogue,
 * later starts find both.
 */
const startup = phaseTimer();
const config = loadConfigOrExit();
// A new embedded database: its demo data is generated on a worker thread while PGlite initialises.
let pregenerated = pregenerateForFreshInstall(config);
// The servers' modules (seconds of loading) load while that worker and PGlite start, not before them.
const supergraphModule = import("./supergraph.ts");
supergraphModule.catch(() => {}); // awaited (and so reported) where the servers start
const runtime = await createRuntime(config, "shelfgraph");
const { logger } = runtime;
let stopProcess: StopProcess | undefined;
const ports = { gateway: config.GATEWAY_PORT, users: config.USERS_PORT, books: config.BOOKS_PORT, recommendations: config.RECOMMENDATIONS_PORT, experiments: config.EXPERIMENTS_PORT };
// A process that lost its gateway serves nobody: it stops, and its supervisor starts it again.
const gatewayThread = config.EMBEDDED_GATEWAY_THREAD ? { onFailure: () => stopProcess?.("the gateway thread ended", 1) } : undefined;
// That thread is built from now on, on a core of its own, while the database is readied and
// the subgraphs start; its port opens once they are up.
const gatewayAhead = gatewayThread ? startGatewayThreadAhead(runtime, ports, gatewayThread.onFailure) : undefined;
const training = {
  artifactsDir: config.MODEL_ARTIFACTS_DIR,
  promotionMargin: config.MODEL_PROMOTION_MARGIN,
  keepVersions: config.MODEL_KEEP_VERSIONS,
  publish: modelChangedPublisher(runtime.pubsub),
  logger,
  // PostgreSQL: training workers connect themselves; on PGlite their SQL comes through this thread.
  ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
};
// On PostgreSQL whether the database is fresh is known once connected: generating then overlaps the migrations.
if (!pregenerated && config.DATABASE_URL && (await isFreshDatabase(runtime.db))) pregenerated = generateDemoDataInWorker(seedOptionsOf(config));
// ...and its first-start models are trained from that data on another worker while it is written.
const alongsideSeed = pregenerated ? trainFirstStartSetAlongsideSeed(runtime.db, pregenerated, training) : null;
startup.end("runtime");
try {
  const migrations = await applyMigrations(runtime.db, { logger });
  logger.info({ applied: migrations.applied, alreadyApplied: migrations.alreadyApplied }, "database schema is current");
  startup.end("migrations");
  let seeded = false;
  if (await isDatabaseEmpty(runtime.db)) {
    logger.info({ books: config.SEED_BOOKS, users: config.SEED_USERS }, "empty database: generating demo data");
    const summary = await seedDemoData(runtime.db, {
      ...seedOptionsOf(config),
      logger,
      ...(pregenerated ? { pregenerated } : {}),
    });
    logger.info(summary, "demo data ready");
    seeded = true;
  }
  // Written: the process need not hold tens of megabytes of generated rows for the rest of its life.
  pregenerated = null;
  startup.end("demo data");
  // Recommendations are model-driven from the first query: a fresh install trains the quick first-start set now...
  const production = await (alongsideSeed ? alongsideSeed.finish(seeded) : firstStartModels(runtime.db, training));
  startup.end("first-start training");
  // One /metrics for the whole process: every service's series, told apart by their `service` label.
  const metrics = await serveMetrics({ host: config.HOST, port: config.METRICS_PORT, logger });
  const { startSupergraph } = await supergraphModule;
  const supergraph = await startSupergraph(runtime, ports, gatewayAhead ? { gatewayAhead } : gatewayThread ? { gatewayThread } : {});
  let fullTraining: RunningTraining | undefined;
  stopProcess = stopOnSignals(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await fullTraining?.stop();
    await supergraph.stop();
    await metrics.stop();
    await runtime.close();
  });
  startup.end("servers");
  logger.info({ url: supergraph.gateway.url, startup: startup.phases() }, "Shelfgraph is ready");
  if (!process.stdout.isTTY) process.stdout.write(`Shelfgraph gateway: ${supergraph.gateway.url}\n`);
  // ...and the full set trains on a worker thread once serving, replacing it (also after a restart that interrupted it).
  if (production !== "full") {
    fullTraining = replaceFirstStartSet(runtime.db, training);
  }
} catch (error) {
  logger.fatal({ err: error }, "failed to start");
  await gatewayAhead?.abandon(error);
  await runtime.close();
  process.exit(1);
}
