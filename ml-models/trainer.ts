import { loadConfigOrExit } from "../lib/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createLogger } from "../lib/logger.ts";
import { serveMetrics } from "../lib/metrics/metrics-server.ts";
import { parseRetrainRequested } from "../lib/events/retrain-requested.ts";
import { createPubSub, Topics } from "../lib/pubsub.ts";
import { stopOnSignals } from "../lib/server/shutdown.ts";
import { startTracing, tracerFor } from "../lib/tracing/provider.ts";
import { inSpan } from "../lib/tracing/spans.ts";
import { modelChangedPublisher } from "./pipeline/publish.ts";
import { hasProductionModels, trainAll } from "./pipeline/train-all.ts";
import { startScheduler } from "./trainer/scheduler.ts";

/**
 * `npm run start:trainer`: the retraining process. TRAINER_CRON (default daily at
 * 03:00) and TRAINER_NEW_INTERACTIONS new signals, checked every
 * TRAINER_CHECK_INTERVAL_SECONDS, each start a run of the whole pipeline.
 */
const config = loadConfigOrExit();
const logger = createLogger(config, "trainer");
const db = await openDatabase(config);
const bus = createPubSub(config, logger);
const metrics = await serveMetrics({ host: config.HOST, port: config.METRICS_PORT, logger });
await applyMigrations(db, { logger });
const tracing = await startTracing(config, "trainer", logger);
// Each run is one trace when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT).
const tracer = tracerFor(config, "trainer");

const scheduler = startScheduler({
  db,
  logger,
  cron: config.TRAINER_CRON,
  newSignalsThreshold: config.TRAINER_NEW_INTERACTIONS,
  checkIntervalMs: config.TRAINER_CHECK_INTERVAL_SECONDS * 1000,
  train: () =>
    inSpan(tracer, "trainer.run", {}, () =>
      trainAll(db, {
        artifactsDir: config.MODEL_ARTIFACTS_DIR,
        promotionMargin: config.MODEL_PROMOTION_MARGIN,
        keepVersions: config.MODEL_KEEP_VERSIONS,
        publish: modelChangedPublisher(bus),
        logger,
      }),
    ),
});
logger.info({ cron: config.TRAINER_CRON, next: scheduler.nextScheduledRun(), newInteractions: config.TRAINER_NEW_INTERACTIONS }, "trainer ready");
// The stream's retrain role counts signals as they arrive and asks for a run (lib/stream/roles/retrain.ts).
const retrainListener = await bus.subscribe(Topics.RETRAIN_REQUESTED, (payload: unknown) => {
  const request = parseRetrainRequested(payload);
  if (!request) return void logger.warn({ payload }, "ignoring malformed RETRAIN_REQUESTED event");
  logger.info({ newSignals: request.newSignals }, "retraining requested by the stream");
  void scheduler.runNow("new-interactions");
}, {});
// A fresh installation should not wait for the first scheduled run to have models.
if (!(await hasProductionModels(db))) void scheduler.runNow("no-production-model");

// A run can take a while: give it up to ten minutes to finish before exiting.
stopOnSignals(logger, Math.max(config.SHUTDOWN_TIMEOUT_MS, 600_000), async () => {
  bus.unsubscribe(retrainListener);
  await scheduler.stop();
  await tracing.stop();
  await bus.close();
  await metrics.stop();
  await db.close();
});
