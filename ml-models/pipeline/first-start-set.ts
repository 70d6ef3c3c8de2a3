import type { SqlDatabase } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import { isFirstStartVersion, listVersions } from "../registry/registry.ts";
import { trainAll, type TrainAllOptions, type TrainAllSummary } from "./train-all.ts";
import { DEFAULT_TRAINING, type TrainingOptions } from "./train-models.ts";
import { trainAllInWorker, type FullTrainingOptions, type RunningTraining } from "./train-in-worker.ts";

/**
 * The quick model set a fresh `npm start` serves from its first answer: the algorithms
 * marked `firstRun` (popularity, item-cf, rp3beta, content: no ALS or EASE, the costly
 * ones), each at its defaults without a search, blend and metrics on samples of
 * readers. About a fifth of the full run's CPU. The full run then trains on a worker
 * thread while requests are served and replaces every one of these models.
 */
export const FIRST_START_TRAINING: TrainingOptions = {
  ...DEFAULT_TRAINING,
  firstRunOnly: true,
  tuningUsers: 200,
  evaluationUsers: 1_000,
};

/** What production holds: nothing (fresh install), the first-start stand-ins, or a full set. */
export type ProductionSet = "none" | "first-start" | "full";

export async function productionSet(db: SqlDatabase): Promise<ProductionSet> {
  const production = (await listVersions(db)).filter((row) => row.status === "PRODUCTION");
  if (production.length === 0) return "none";
  return production.some(isFirstStartVersion) ? "first-start" : "full";
}

/** Trains and promotes the first-start set, flagged `firstStart` in the registry. */
export function trainFirstStartSet(db: SqlDatabase, options: Omit<TrainAllOptions, "training" | "firstStart">): Promise<TrainAllSummary> {
  return trainAll(db, { ...options, training: FIRST_START_TRAINING, firstStart: true });
}

/**
 * `npm start`: when production holds nothing, trains the first-start set before the
 * servers start (recommendations are model-driven from the first answer). Returns what
 * production holds afterwards; a failed training is logged and serving falls back.
 */
export async function firstStartModels(db: SqlDatabase, options: Omit<TrainAllOptions, "training" | "firstStart"> & { logger: Logger }): Promise<ProductionSet> {
  const before = await productionSet(db);
  if (before !== "none") return before;
  options.logger.info("no model in production: training the first-start set (the full set follows in the background)");
  try {
    const trained = await trainFirstStartSet(db, options);
    options.logger.info({ seconds: trained.seconds, models: trained.models.map((m) => `${m.name} v${m.version}`) }, "first-start models trained");
  } catch (error) {
    options.logger.error({ err: error }, "first-start training failed; starting without models");
  }
  return productionSet(db);
}

/**
 * After the servers are ready: the full run on a worker thread, whose models replace the
 * first-start set through the usual promotion and MODEL_CHANGED path.
 */
export function replaceFirstStartSet(db: SqlDatabase, options: FullTrainingOptions): RunningTraining {
  const logger = options.logger;
  logger.info("training the full model set on a worker thread; the first-start set serves meanwhile");
  const running = trainAllInWorker(db, options);
  running.finished.then(
    (result) =>
      logger.info(
        { seconds: Math.round(result.seconds * 10) / 10, models: result.models.map((m) => `${m.name} v${m.version} ${m.status}`) },
        "full models trained; the first-start set is replaced",
      ),
    (error: unknown) => {
      if ((error as Error).message !== "training stopped") logger.error({ err: error }, "full training failed; the first-start set keeps serving");
    },
  );
  return running;
}
