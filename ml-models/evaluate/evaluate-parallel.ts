import { availableParallelism } from "node:os";
import type { Csr } from "../data/csr.ts";
import { shared } from "../models/als-parallel.ts";
import type { Recommender } from "../models/recommender.ts";
import { snapshotModels } from "../models/snapshot.ts";
import { accumulateMetricsAsync, usersWithTestItems, type AccumulatorState, type EvaluationData, type MetricSet } from "./evaluate.ts";
import { typeScriptWorker } from "../../lib/typescript-worker.ts";

/** Below this many users a helper thread's start-up costs more than it saves. */
const PARALLEL_MIN_USERS = 1_000;

function sharedCsr(matrix: Csr): Csr {
  return { rows: matrix.rows, cols: matrix.cols, indptr: shared(matrix.indptr), indices: shared(matrix.indices), data: shared(matrix.data) };
}

/**
 * `evaluateModels` with the users split between this thread and helper threads:
 * models and matrices go over as shared memory, each thread returns its sums and
 * they are merged, so the result is the same as evaluating on one thread.
 */
export async function evaluateModelsParallel(
  models: readonly Recommender[],
  data: EvaluationData,
  options: { threads?: number; minUsers?: number; users?: Int32Array } = {},
): Promise<Map<Recommender, MetricSet>> {
  // A sample of the users with test items (e.g. the quick first-start run), or all of them.
  const users = options.users ?? usersWithTestItems(data.test);
  const threads = options.threads ?? availableParallelism();
  const snapshots = snapshotModels(models);
  if (threads < 2 || users.length < (options.minUsers ?? PARALLEL_MIN_USERS) || snapshots.some((s) => s.kind === "opaque")) {
    const accumulators = await accumulateMetricsAsync(models, data, users);
    return new Map(models.map((model, m) => [model, accumulators[m]!.result()]));
  }
  // Interleaved shares: neighbouring user ids have similar history lengths, so every thread gets a like mix.
  const shares = Array.from({ length: threads }, (_, t) => users.filter((_, i) => i % threads === t));
  const job = {
    snapshots,
    train: { userItem: sharedCsr(data.train.userItem), itemUser: sharedCsr(data.train.itemUser) },
    test: sharedCsr(data.test),
    ...(data.diversitySpace ? { diversitySpace: { vectors: shared(data.diversitySpace.vectors), dimensions: data.diversitySpace.dimensions } } : {}),
  };
  const helpers = shares.slice(1).map(
    (share) =>
      new Promise<AccumulatorState[]>((resolve, reject) => {
        const worker = typeScriptWorker(new URL("./evaluate-worker.ts", import.meta.url));
        worker.once("message", (message: { type: string; states?: AccumulatorState[]; message?: string }) => {
          void worker.terminate();
          if (message.type === "done" && message.states) resolve(message.states);
          else reject(new Error(`evaluation worker: ${message.message ?? message.type}`));
        });
        worker.once("error", (error) => {
          void worker.terminate();
          reject(error);
        });
        worker.postMessage({ ...job, users: share });
      }),
  );
  const accumulators = await accumulateMetricsAsync(models, data, shares[0]!);
  for (const states of await Promise.all(helpers)) states.forEach((state, m) => accumulators[m]!.merge(state));
  return new Map(models.map((model, m) => [model, accumulators[m]!.result()]));
}
