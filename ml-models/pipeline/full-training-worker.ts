import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { workerLogger } from "../../lib/worker-log.ts";
import { databaseOverPort } from "../../lib/db/database-over-port.ts";
import { openDatabase, type SqlDatabase } from "../../lib/db/database.ts";
import type { ModelChangedEvent } from "../registry/registry.ts";
import { datasetFromDemoData } from "../extract/demo-dataset.ts";
import { FIRST_START_TRAINING } from "./first-start-set.ts";
import { trainAll, type TrainAllOptions } from "./train-all.ts";
import type { DatabaseReadyMessage, FullTrainingJob, FullTrainingMessage } from "./train-in-worker.ts";

/**
 * The whole training pipeline on a worker thread, so the serving thread's event loop
 * stays free while it runs. On PGlite the statements go to the thread that owns the
 * database; on PostgreSQL the worker has its own small pool. Log lines and promotions
 * are handed to the parent, which owns the logger and the event bus.
 */
const job = workerData as FullTrainingJob;
const send = (message: FullTrainingMessage) => parentPort!.postMessage(message);
const log = workerLogger(job.logLevel, (lines) => send({ type: "log", lines }));
const { logger } = log;
/** The lines logged before a message reach the parent before it. */
const post = (message: Exclude<FullTrainingMessage, { type: "log" }>) => {
  log.flush();
  send(message);
};

// Listening from the start: the parent's word may come before the database is opened here.
// (Only then: a listener left on the parent port would keep a finished worker alive.)
const databaseReady = job.firstStartFrom
  ? new Promise<void>((resolve) => {
      const listen = (message: DatabaseReadyMessage) => {
        if (message.type !== "database-ready") return;
        parentPort!.off("message", listen);
        resolve();
      };
      parentPort!.on("message", listen);
    })
  : Promise.resolve();

/** A first-start run trains while its data is still being written: its statements wait until the parent says it is committed. */
function afterDatabaseReady(db: SqlDatabase, ready: Promise<void>): SqlDatabase {
  return {
    kind: db.kind,
    withConnection: async (work) => {
      await ready;
      return db.withConnection(work);
    },
    ...(db.exclusiveTransaction ? { exclusiveTransaction: async (work) => (await ready, db.exclusiveTransaction!(work)) } : {}),
  };
}

let db: (SqlDatabase & { close(): unknown }) | undefined;
try {
  db =
    job.database.kind === "postgres"
      ? await openDatabase({ DATABASE_URL: job.database.url, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" })
      : databaseOverPort(job.database.port as MessagePort, "pglite");
  // Alongside the seed's writes (the serving thread) this thread is the second busy one: no evaluation helpers beside it.
  const firstStart: Partial<TrainAllOptions> = job.firstStartFrom
    ? { training: { ...FIRST_START_TRAINING, evaluationThreads: 1 }, firstStart: true, extracted: datasetFromDemoData(job.firstStartFrom) }
    : {};
  const summary = await trainAll(job.firstStartFrom ? afterDatabaseReady(db, databaseReady) : db, {
    ...firstStart,
    artifactsDir: job.artifactsDir,
    promotionMargin: job.promotionMargin,
    keepVersions: job.keepVersions,
    logger,
    publish: async (event: ModelChangedEvent) => post({ type: "publish", event }),
  });
  post({
    type: "done",
    seconds: summary.seconds,
    models: summary.models.map((m) => ({ name: m.name, version: m.version, status: m.status, decision: m.decision })),
  });
} catch (error) {
  post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
} finally {
  await db?.close();
  log.flush();
}
