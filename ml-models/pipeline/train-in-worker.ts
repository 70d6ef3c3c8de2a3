import { MessageChannel, type MessagePort } from "node:worker_threads";
import { serveDatabaseOverPort, type ServedDatabase } from "../../lib/db/database-over-port.ts";
import type { SqlDatabase } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import { relayWorkerLines } from "../../lib/worker-log.ts";
import type { WritableDemoDataset } from "../../prisma/seed/dataset.ts";
import type { ModelChangedEvent, Publish } from "../registry/registry.ts";
import { typeScriptWorker } from "../../lib/typescript-worker.ts";

/** What the worker is given (workerData): plain values and, on PGlite, the port its SQL goes through. */
export interface FullTrainingJob {
  readonly artifactsDir: string;
  readonly promotionMargin: number;
  readonly keepVersions: number;
  readonly logLevel: string;
  readonly database: { kind: "pglite"; port: MessagePort } | { kind: "postgres"; url: string };
  /** Train the first-start set from this demo data in memory; the database is touched once the parent says it is written. */
  readonly firstStartFrom?: WritableDemoDataset;
}

/** What the parent tells the worker: the demo data it trains from is committed, registration may begin. */
export type DatabaseReadyMessage = { type: "database-ready" };

export interface FullTrainingResult {
  readonly seconds: number;
  readonly models: readonly { name: string; version: number; status: string; decision: string }[];
}

/** What the worker tells its parent. */
export type FullTrainingMessage =
  | { type: "log"; lines: string }
  | { type: "publish"; event: ModelChangedEvent }
  | ({ type: "done" } & FullTrainingResult)
  | { type: "failed"; message: string };

export interface FullTrainingOptions {
  readonly artifactsDir: string;
  readonly promotionMargin: number;
  readonly keepVersions: number;
  /** PostgreSQL URL: the worker connects itself. Without it the database is this thread's PGlite. */
  readonly databaseUrl?: string;
  readonly publish: Publish;
  readonly logger: Logger;
  /**
   * A fresh install: train the first-start set from the demo data being written, in
   * memory and so alongside the writes; its models are registered once `databaseReady`
   * resolves (the data is committed). Without it, the full set from the database.
   */
  readonly firstStart?: { readonly demoData: WritableDemoDataset; readonly databaseReady: Promise<void> };
}

export interface RunningTraining {
  /** Settles when the run has registered its models (or failed: rejected with the run's error). */
  readonly finished: Promise<FullTrainingResult>;
  /** Ends the run early (shutdown); the registry is left as it was before the run. */
  stop(): Promise<void>;
}

/**
 * Runs `trainAll` (every algorithm, tuned; or the first-start set from demo data) on
 * a worker thread: the event loop that serves requests stays responsive while it trains. Its log lines are written by this
 * thread's logger and its promotions published on this thread's bus (MODEL_CHANGED),
 * so serving picks the new models up the way it does after any training run.
 */
export function trainAllInWorker(db: SqlDatabase, options: FullTrainingOptions): RunningTraining {
  const channel = options.databaseUrl ? undefined : new MessageChannel();
  const served: ServedDatabase | undefined = channel ? serveDatabaseOverPort(channel.port1, db) : undefined;
  const job: FullTrainingJob = {
    artifactsDir: options.artifactsDir,
    promotionMargin: options.promotionMargin,
    keepVersions: options.keepVersions,
    logLevel: options.logger.level,
    database: channel ? { kind: "pglite", port: channel.port2 } : { kind: "postgres", url: options.databaseUrl! },
    ...(options.firstStart ? { firstStartFrom: options.firstStart.demoData } : {}),
  };
  const worker = typeScriptWorker(new URL("./full-training-worker.ts", import.meta.url), {
    workerData: job,
    transferList: channel ? [channel.port2] : [],
  });
  const logger = options.logger.child({ component: options.firstStart ? "first-start-training" : "full-training" });
  let stopped = false;
  options.firstStart?.databaseReady.then(
    () => worker.postMessage({ type: "database-ready" } satisfies DatabaseReadyMessage),
    () => {},
  );
  const finished = new Promise<FullTrainingResult>((resolve, reject) => {
    worker.on("message", (message: FullTrainingMessage) => {
      if (message.type === "log") relayWorkerLines(logger, message.lines);
      else if (message.type === "publish") void options.publish(message.event).catch((error: unknown) => logger.error({ err: error }, "model change could not be published"));
      else if (message.type === "done") resolve({ seconds: message.seconds, models: message.models });
      else reject(new Error(message.message));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(stopped ? "training stopped" : `training worker exited with code ${code}`)));
  });
  // Whatever the outcome, the worker's hold on the shared session ends with it.
  const release = async () => {
    await served?.release();
    channel?.port1.close();
  };
  const cleanUp = finished.then(release, release);
  return {
    finished,
    async stop() {
      stopped = true;
      await worker.terminate();
      await cleanUp.catch(() => {});
    },
  };
}
