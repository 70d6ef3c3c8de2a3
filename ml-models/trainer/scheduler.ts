import { Cron } from "croner";
import type { Database } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import { trainingDuration, trainingRuns } from "../../lib/metrics/metrics.ts";
import type { TrainAllSummary } from "../pipeline/train-all.ts";
import { countSignalsSince, lastTrainedAt } from "./new-signals.ts";

export interface SchedulerOptions {
  readonly db: Database;
  readonly logger: Logger;
  /** Cron expression (croner syntax, 5 or 6 fields). */
  readonly cron: string;
  /** Retrain early once this many new signals have arrived since the last run. */
  readonly newSignalsThreshold: number;
  readonly checkIntervalMs: number;
  /** One full pipeline run (trainAll with the process's options). */
  readonly train: () => Promise<TrainAllSummary>;
}

export type RunTrigger = "schedule" | "new-interactions" | "manual" | "no-production-model";

export interface TrainerScheduler {
  /** Runs now unless a run is already in progress; resolves false when skipped or failed. */
  runNow(trigger: RunTrigger): Promise<boolean>;
  nextScheduledRun(): Date | null;
  stop(): Promise<void>;
}

/**
 * Retrains on a cron schedule and early when enough new signals arrived. One run at
 * a time in this process; across processes the registry's advisory lock orders the
 * registrations. A failed run is logged and changes nothing: models are only
 * registered at the very end of a successful run.
 */
export function startScheduler(options: SchedulerOptions): TrainerScheduler {
  const { logger } = options;
  let running: Promise<boolean> | null = null;
  let stopped = false;

  const runNow = (trigger: RunTrigger): Promise<boolean> => {
    if (running || stopped) {
      logger.info({ trigger }, "training already in progress; not starting another");
      return Promise.resolve(false);
    }
    const started = Date.now();
    logger.info({ trigger }, "training run starting");
    running = options
      .train()
      .then((summary) => {
        trainingRuns.inc({ trigger, outcome: "success" });
        trainingDuration.observe(summary.seconds);
        logger.info(
          { trigger, seconds: summary.seconds, models: summary.models.map((m) => ({ name: m.name, version: m.version, status: m.status, ndcgAt10: m.metrics.ndcgAt10 })) },
          "training run finished",
        );
        return true;
      })
      .catch((error: unknown) => {
        trainingRuns.inc({ trigger, outcome: "failure" });
        logger.error({ err: error, trigger, seconds: (Date.now() - started) / 1000 }, "training run failed; production models unchanged");
        return false;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const job = new Cron(options.cron, { protect: true }, () => {
    void runNow("schedule");
  });

  const check = async () => {
    if (running || stopped) return;
    try {
      const since = (await lastTrainedAt(options.db)) ?? new Date(0);
      const fresh = await countSignalsSince(options.db, since);
      logger.debug({ fresh, since, threshold: options.newSignalsThreshold }, "new signals since the last run");
      if (fresh >= options.newSignalsThreshold) await runNow("new-interactions");
    } catch (error) {
      logger.warn({ err: error }, "could not count new signals");
    }
  };
  const timer = setInterval(() => void check(), options.checkIntervalMs);

  return {
    runNow,
    nextScheduledRun: () => job.nextRun(),
    async stop() {
      stopped = true;
      job.stop();
      clearInterval(timer);
      await running;
    },
  };
}
