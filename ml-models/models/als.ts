import type { Csr, InteractionMatrices } from "../data/csr.ts";
import { scoreAllRows } from "../linalg/dense.ts";
import { createRandom } from "../linalg/random.ts";
import { AlsThreads, type ThreadOptions } from "./als-parallel.ts";
import { regularizedGram, solveRows, type AlsSolverParams } from "./als-solver.ts";
import type { Recommender } from "./recommender.ts";

export interface AlsParams extends AlsSolverParams {
  readonly iterations: number;
  readonly seed: number;
  /**
   * Confidence of each older book of a reader's history relative to the next newer
   * one (1 = all alike): the reader's vector follows their recent taste. Applied to
   * the training confidences and, by serving, to the fold-in.
   */
  readonly recencyDecay?: number;
}

// Chosen on Goodbooks' validation slice: strong confidence weighting and a recent-first history.
export const DEFAULT_ALS: AlsParams = { factors: 64, regularization: 20, alpha: 2, cgSteps: 3, iterations: 10, seed: 7, recencyDecay: 0.85 };

export class AlsModel implements Recommender {
  readonly name = "als" as const;

  constructor(
    readonly userFactors: Float32Array,
    readonly itemFactors: Float32Array,
    readonly userCount: number,
    readonly itemCount: number,
    readonly params: AlsParams,
  ) {}

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { ...this.params };
  }

  get factors(): number {
    return this.params.factors;
  }

  scoreUser(user: number, _history: Csr, out: Float32Array): void {
    const k = this.params.factors;
    scoreAllRows(this.itemFactors, this.itemCount, k, this.userFactors.subarray(user * k, (user + 1) * k), out);
  }
}

export type IterationListener = (iteration: number, total: number) => void;

/** Alternates user and item half-steps on this thread; each half-step solves every row against the other side's factors. */
export function trainAls(matrices: InteractionMatrices, params: AlsParams = DEFAULT_ALS, onIteration?: IterationListener): AlsModel {
  const { userFactors, itemFactors } = initialFactors(matrices, params);
  for (let iteration = 0; iteration < params.iterations; iteration++) {
    alsIteration(matrices.userItem, matrices.itemUser, userFactors, itemFactors, params);
    onIteration?.(iteration + 1, params.iterations);
  }
  return new AlsModel(userFactors, itemFactors, matrices.userItem.rows, matrices.userItem.cols, params);
}

/**
 * The same training with every half-step split across the cores (helper threads
 * over shared memory) when the data is large enough to pay for them; identical
 * results to `trainAls` since rows are solved independently.
 */
export async function trainAlsThreaded(
  matrices: InteractionMatrices,
  params: AlsParams = DEFAULT_ALS,
  onIteration?: IterationListener,
  threadOptions: ThreadOptions = {},
): Promise<AlsModel> {
  const { userItem, itemUser } = matrices;
  const { userFactors, itemFactors } = initialFactors(matrices, params);
  const threads = await AlsThreads.start(userItem, itemUser, userFactors, itemFactors, params, threadOptions);
  try {
    for (let iteration = 0; iteration < params.iterations; iteration++) {
      if (threads) await threads.iteration();
      else alsIteration(userItem, itemUser, userFactors, itemFactors, params);
      onIteration?.(iteration + 1, params.iterations);
    }
  } finally {
    await threads?.close();
  }
  return new AlsModel(userFactors, itemFactors, userItem.rows, userItem.cols, params);
}

/** Small random start (as implicit does), in shared memory so helper threads can solve in place. */
function initialFactors(matrices: InteractionMatrices, params: AlsParams): { userFactors: Float32Array; itemFactors: Float32Array } {
  const k = params.factors;
  const random = createRandom(params.seed);
  const userFactors = new Float32Array(new SharedArrayBuffer(matrices.userItem.rows * k * 4));
  const itemFactors = new Float32Array(new SharedArrayBuffer(matrices.userItem.cols * k * 4));
  for (let i = 0; i < userFactors.length; i++) userFactors[i] = random() * 0.01;
  for (let i = 0; i < itemFactors.length; i++) itemFactors[i] = random() * 0.01;
  return { userFactors, itemFactors };
}

export function alsIteration(userItem: Csr, itemUser: Csr, userFactors: Float32Array, itemFactors: Float32Array, params: AlsSolverParams): void {
  const itemGram = regularizedGram(itemFactors, userItem.cols, params);
  solveRows(userItem, userFactors, itemFactors, itemGram, params, 0, userItem.rows);
  const userGram = regularizedGram(userFactors, userItem.rows, params);
  solveRows(itemUser, itemFactors, userFactors, userGram, params, 0, itemUser.rows);
}
