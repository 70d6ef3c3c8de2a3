import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { Csr } from "../data/csr.ts";
import { regularizedGram, solveRows, type AlsSolverParams } from "./als-solver.ts";
import { typeScriptWorker } from "../../lib/typescript-worker.ts";

/** Below this many interactions a helper thread's start-up costs more than it saves. */
export const PARALLEL_MIN_INTERACTIONS = 150_000;

export function shared<T extends Int32Array | Float32Array>(array: T): T {
  const Constructor = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const copy = new Constructor(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

function sharedCsr(matrix: Csr) {
  return { indptr: shared(matrix.indptr), indices: shared(matrix.indices), data: shared(matrix.data) };
}

export interface ThreadOptions {
  /** Threads in all, this one included (default: the machine's cores). */
  readonly threads?: number;
  readonly minInteractions?: number;
}

/**
 * Runs ALS half-steps on the main thread plus helper threads over shared memory:
 * rows are cut into ranges of equal work (interactions + a per-row constant) and
 * each thread solves its range in place. Returns null when there is one core or
 * the data is too small to pay for the threads.
 */
export class AlsThreads {
  private constructor(
    private readonly workers: Worker[],
    private readonly userItem: Csr,
    private readonly itemUser: Csr,
    readonly userFactors: Float32Array,
    readonly itemFactors: Float32Array,
    private readonly params: AlsSolverParams,
  ) {}

  static async start(
    userItem: Csr,
    itemUser: Csr,
    userFactors: Float32Array,
    itemFactors: Float32Array,
    params: AlsSolverParams,
    options: ThreadOptions = {},
  ): Promise<AlsThreads | null> {
    const threads = options.threads ?? availableParallelism();
    if (threads < 2 || userItem.indices.length < (options.minInteractions ?? PARALLEL_MIN_INTERACTIONS)) return null;
    if (!(userFactors.buffer instanceof SharedArrayBuffer) || !(itemFactors.buffer instanceof SharedArrayBuffer)) {
      throw new Error("ALS threads need factors in shared memory");
    }
    const sharedUserItem = sharedCsr(userItem);
    const sharedItemUser = sharedCsr(itemUser);
    const workers = Array.from({ length: threads - 1 }, () => typeScriptWorker(new URL("./als-worker.ts", import.meta.url)));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once("message", () => resolve());
              worker.once("error", reject);
              worker.postMessage({ type: "init", userItem: sharedUserItem, itemUser: sharedItemUser, userFactors, itemFactors, params });
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new AlsThreads(workers, userItem, itemUser, userFactors, itemFactors, params);
  }

  async iteration(): Promise<void> {
    // Same order as alsIteration: reader vectors last.
    await this.halfStep("items");
    await this.halfStep("users");
  }

  private async halfStep(side: "users" | "items"): Promise<void> {
    const users = side === "users";
    const matrix = users ? this.userItem : this.itemUser;
    const fixed = users ? this.itemFactors : this.userFactors;
    const solved = users ? this.userFactors : this.itemFactors;
    const gram = regularizedGram(fixed, users ? this.itemUser.rows : this.userItem.rows, this.params);
    const bounds = balancedRanges(matrix, this.workers.length + 1, this.params.factors * (this.params.cgSteps + 1));
    const helpers = this.workers.map(
      (worker, w) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (message: { type: string; message?: string }) => {
            worker.off("error", onError);
            if (message.type === "done") resolve();
            else reject(new Error(`ALS worker: ${message.message ?? message.type}`));
          };
          const onError = (error: Error) => {
            worker.off("message", onMessage);
            reject(error);
          };
          worker.once("message", onMessage);
          worker.once("error", onError);
          worker.postMessage({ type: "solve", side, gram, from: bounds[w + 1]!, to: bounds[w + 2]! });
        }),
    );
    solveRows(matrix, solved, fixed, gram, this.params, bounds[0]!, bounds[1]!);
    await Promise.all(helpers);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Cuts rows into `parts` contiguous ranges of about equal cost (nnz + perRow per row). */
export function balancedRanges(matrix: Pick<Csr, "rows" | "indptr">, parts: number, perRow: number): number[] {
  const total = matrix.indptr[matrix.rows]! + perRow * matrix.rows;
  const bounds = [0];
  let row = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (row < matrix.rows && matrix.indptr[row]! + perRow * row < target) row++;
    bounds.push(row);
  }
  bounds.push(matrix.rows);
  return bounds;
}
