import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../lib/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createLogger } from "../lib/logger.ts";
import { createPubSub } from "../lib/pubsub.ts";
import { createCliProgress } from "./pipeline/cli-progress.ts";
import { modelChangedPublisher } from "./pipeline/publish.ts";
import { trainAll } from "./pipeline/train-all.ts";
import { trainOnFiles } from "./pipeline/train-files.ts";
import { metricTable } from "./report/table.ts";
import { writeRunReport } from "./report/write-report.ts";

/**
 * `npm run train`                                   the database pipeline (register + promote)
 * `npm run train -- --train FILE --test FILE`       compare models on given files (no database): CSV, or
 *                                                   adjacency lists ("user item item ..."), told apart by content
 * `npm run train -- --data FILE [--items FILE]`     one file, split per user by time
 */
const { values } = parseArgs({
  options: {
    train: { type: "string" },
    test: { type: "string" },
    data: { type: "string" },
    items: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(`usage: npm run train [-- --train FILE --test FILE | --data FILE] [--items BOOKS.csv]\n`);
  process.exit(0);
}

const config = loadConfigOrExit();
const logger = createLogger(config, "train");
const progress = createCliProgress(logger);
const started = performance.now();

try {
  if (values.train || values.test || values.data) {
    if ((values.train && !values.test) || (values.test && !values.train)) throw new Error("--train and --test go together");
    const { result } = await trainOnFiles({ ...values }, undefined, progress);
    progress.done();
    const rows = [...result.models.values()].map((m) => ({ name: m.model.name, metrics: m.metrics, seconds: m.trainSeconds }));
    process.stdout.write(`${metricTable(rows)}\n`);
    const seconds = (performance.now() - started) / 1000;
    const report = await writeRunReport(config.MODEL_ARTIFACTS_DIR, {
      title: "Shelfgraph model comparison",
      generatedAt: new Date().toISOString(),
      source: values.data ?? `${values.train} / ${values.test}`,
      counts: { ...result.counts },
      seconds,
      models: [...result.models.values()].map((m) => ({ name: m.model.name, metrics: m.metrics, trainSeconds: m.trainSeconds })),
      validation: result.validation,
      history: [],
    });
    process.stdout.write(`${seconds.toFixed(1)} s (evaluation ${result.evaluationSeconds.toFixed(1)} s) · report: ${report.html}\n`);
  } else {
    const db = await openDatabase(config);
    const bus = createPubSub(config, logger);
    try {
      await applyMigrations(db, { logger });
      const summary = await trainAll(db, {
        artifactsDir: config.MODEL_ARTIFACTS_DIR,
        promotionMargin: config.MODEL_PROMOTION_MARGIN,
        keepVersions: config.MODEL_KEEP_VERSIONS,
        publish: modelChangedPublisher(bus),
        logger,
        progress,
      });
      progress.done();
      process.stdout.write(`${metricTable(summary.models.map((m) => ({ name: `${m.name} v${m.version}`, metrics: m.metrics, seconds: m.trainSeconds })))}\n\n`);
      for (const m of summary.models) process.stdout.write(`${m.name} v${m.version}: ${m.status} (${m.decision})\n`);
      process.stdout.write(`${summary.seconds.toFixed(1)} s · report: ${summary.report?.html ?? "not written (see the log)"}\n`);
    } finally {
      await bus.close();
      await db.close();
    }
  }
} catch (error) {
  progress.done();
  logger.error({ err: error }, "training failed; the registry and production models are unchanged");
  process.stderr.write(`training failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
