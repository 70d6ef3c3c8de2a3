import type { SqlDatabase } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Dataset } from "../data/dataset.ts";
import { extractFromDatabase, type ExtractionSummary } from "../extract/database.ts";
import type { ReportModel, RunReport } from "../report/html.ts";
import { writeRunReport } from "../report/write-report.ts";
import { listVersions, type Publish } from "../registry/registry.ts";
import { splitByTime } from "../split/time-split.ts";
import { silentProgress, type Progress } from "./progress.ts";
import { registerRun, type RegisteredModel } from "./register-run.ts";
import { DEFAULT_TRAINING, EmptyDataError, trainAndEvaluate, type TrainingOptions } from "./train-models.ts";

export interface TrainAllOptions {
  readonly artifactsDir: string;
  readonly promotionMargin: number;
  readonly keepVersions?: number;
  readonly publish?: Publish;
  readonly logger?: Logger;
  readonly progress?: Progress;
  readonly training?: TrainingOptions;
  /** Registers the run as the quick first-start set (see ./first-start-set.ts). */
  readonly firstStart?: boolean;
  /** The data the database holds, already in memory (a fresh install's demo data): no extraction. */
  readonly extracted?: { readonly dataset: Dataset; readonly summary: ExtractionSummary };
}

export interface TrainAllSummary {
  readonly extraction: ExtractionSummary;
  readonly counts: { trainRows: number; testRows: number; userCount: number; itemCount: number };
  readonly models: readonly RegisteredModel[];
  readonly validation: Record<string, unknown>;
  readonly seconds: number;
  /** Where the run's report was written (null if it could not be). */
  readonly report: { json: string; html: string } | null;
}

/**
 * The whole batch pipeline on the database: extract, split by time, tune on
 * validation, train, evaluate, export to ONNX (verified), register, promote, report.
 * Also what `npm start` calls at first start when no model is in production.
 */
export async function trainAll(db: SqlDatabase, options: TrainAllOptions): Promise<TrainAllSummary> {
  const started = performance.now();
  const progress = options.progress ?? silentProgress;
  const logger = options.logger;
  progress.stage("extracting from the database");
  const { dataset, summary: extraction } = options.extracted ?? (await extractFromDatabase(db));
  logger?.info({ ...extraction, users: dataset.userMap.ids.length, inMemory: Boolean(options.extracted) }, "extracted training data");
  if (dataset.interactions.users.length === 0) throw new EmptyDataError("the database holds no ratings or interactions: nothing to train on");
  const split = splitByTime(dataset.interactions, dataset.userMap.ids.length);
  const result = await trainAndEvaluate(dataset, split, options.training ?? DEFAULT_TRAINING, progress);
  const models = await registerRun(db, dataset, result, {
    artifactsDir: options.artifactsDir,
    promotionMargin: options.promotionMargin,
    keepVersions: options.keepVersions ?? 10,
    ...(options.publish ? { publish: options.publish } : {}),
    ...(logger ? { logger } : {}),
    progress,
    ...(options.training?.algorithms ? { algorithms: options.training.algorithms } : {}),
    ...(options.firstStart ? { firstStart: true } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const report: RunReport = {
    title: options.firstStart ? "Shelfgraph first-start training run" : "Shelfgraph training run",
    generatedAt: new Date().toISOString(),
    source: `database (${db.kind})`,
    counts: { ...result.counts },
    seconds,
    models: models.map(
      (m): ReportModel => ({ name: m.name, version: m.version, status: m.status, metrics: m.metrics, trainSeconds: m.trainSeconds, production: m.production }),
    ),
    validation: { ...result.validation, decisions: Object.fromEntries(models.map((m) => [m.name, m.decision])) },
    history: [],
  };
  // The models are registered by now: a report that cannot be written is a warning, not a failed run.
  let paths: { json: string; html: string } | null = null;
  try {
    const history = (await listVersions(db)).map((row) => ({ name: row.name, version: row.version, status: row.status, ndcgAt10: Number(row.metrics.ndcgAt10 ?? 0) }));
    paths = await writeRunReport(options.artifactsDir, { ...report, history });
  } catch (error) {
    logger?.warn({ err: error }, "training report could not be written");
  }
  for (const m of models) logger?.info({ model: m.name, version: m.version, status: m.status, ndcgAt10: m.metrics.ndcgAt10, decision: m.decision }, "model registered");
  return { extraction, counts: result.counts, models, validation: result.validation, seconds, report: paths };
}

/** True when no model of any kind is in production (a fresh install). */
export async function hasProductionModels(db: SqlDatabase): Promise<boolean> {
  return (await listVersions(db)).some((row) => row.status === "PRODUCTION");
}
