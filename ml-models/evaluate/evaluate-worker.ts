import { parentPort } from "node:worker_threads";
import type { Csr } from "../data/csr.ts";
import { restoreModels, type ModelSnapshot } from "../models/snapshot.ts";
import { accumulateMetricsAsync, type EvaluationData } from "./evaluate.ts";

/** An evaluation helper thread: rebuilds the models from shared memory and scores its share of the users. */
interface Job {
  snapshots: ModelSnapshot[];
  train: { userItem: Csr; itemUser: Csr };
  test: Csr;
  diversitySpace?: EvaluationData["diversitySpace"];
  users: Int32Array;
}

parentPort!.once("message", async (job: Job) => {
  try {
    const models = restoreModels(job.snapshots);
    if (models.some((m) => m === null)) throw new Error("a model could not be rebuilt in the worker");
    const data: EvaluationData = { train: job.train, test: job.test, ...(job.diversitySpace ? { diversitySpace: job.diversitySpace } : {}) };
    const states = (await accumulateMetricsAsync(models as never, data, job.users)).map((a) => a.state());
    parentPort!.postMessage({ type: "done", states });
  } catch (error) {
    parentPort!.postMessage({ type: "error", message: (error as Error).stack ?? String(error) });
  }
});
