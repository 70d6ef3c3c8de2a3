import type { Csr, InteractionMatrices } from "../data/csr.ts";
import { HybridModel } from "../models/hybrid.ts";
import type { Recommender } from "../models/recommender.ts";
import { embeddingCosine, itemUserShare, MetricAccumulator, readerSetCosine } from "./metric-accumulator.ts";

export { MetricAccumulator, type AccumulatorState } from "./metric-accumulator.ts";

export interface MetricSet {
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
  mapAt10: number;
  hitRateAt10: number;
  recallAt20: number;
  ndcgAt20: number;
  /** Share of the catalogue appearing in at least one top-10 list. */
  coverageAt10: number;
  /** Mean pairwise (1 - cosine) within top-10 lists: of content embeddings when the run has them, else of reader sets. */
  diversityAt10: number;
  /** Mean self-information (bits) of top-10 items. */
  noveltyAt10: number;
  /** Users evaluated. */
  users: number;
}

export const METRIC_LABELS: Record<keyof MetricSet, string> = {
  precisionAt10: "P@10",
  recallAt10: "R@10",
  ndcgAt10: "NDCG@10",
  mapAt10: "MAP@10",
  hitRateAt10: "HR@10",
  recallAt20: "R@20",
  ndcgAt20: "NDCG@20",
  coverageAt10: "Cov@10",
  diversityAt10: "ILD@10",
  noveltyAt10: "Nov@10",
  users: "users",
};

export interface EvaluationData {
  readonly train: InteractionMatrices;
  /** users x items held-out interactions; same shape as train. */
  readonly test: Csr;
  /**
   * Unit-length item vectors the diversity metric measures distance in (the content
   * embeddings); without them, cosine of reader sets, which is slower on popular items.
   */
  readonly diversitySpace?: { readonly vectors: Float32Array; readonly dimensions: number };
}

/**
 * Ranks the whole catalogue for every user with held-out items, the user's training
 * items excluded, and averages the metrics. `users` restricts to a sample (tuning).
 */
export function evaluateModel(model: Recommender, data: EvaluationData, users?: Int32Array): MetricSet {
  return evaluateModels([model], data, users).get(model)!;
}

/**
 * Evaluates several models in one pass over the users. A hybrid whose components
 * are among `models` blends the scores already computed for them instead of
 * scoring every component again, which halves the cost of evaluating a run.
 */
export function evaluateModels(models: readonly Recommender[], data: EvaluationData, users?: Int32Array): Map<Recommender, MetricSet> {
  const accumulators = accumulateMetrics(models, data, users ?? usersWithTestItems(data.test));
  return new Map(models.map((model, m) => [model, accumulators[m]!.result()]));
}

/** Users scored together by models with `scoreUsers` / `scoreUsersAsync`. */
const USER_BLOCK = 32;

/** The per-model sums over `users`, unaveraged: parts computed on several threads merge exactly. */
export function accumulateMetrics(models: readonly Recommender[], data: EvaluationData, users: Int32Array): MetricAccumulator[] {
  const run = new BlockEvaluation(models, data);
  for (const block of run.blocks(users)) {
    run.models.forEach((model, m) => {
      if (run.isBlend(m)) return;
      if (model.scoreUsers) model.scoreUsers(block, run.history, run.buffers[m]!);
      else block.forEach((user, n) => model.scoreUser(user, run.history, run.buffers[m]![n]!));
    });
    run.measure(block);
  }
  return run.accumulators;
}

/**
 * The same sums, letting models that can score a block asynchronously (dense factors
 * in onnxruntime) do so: the evaluation threads use this one.
 */
export async function accumulateMetricsAsync(models: readonly Recommender[], data: EvaluationData, users: Int32Array): Promise<MetricAccumulator[]> {
  const run = new BlockEvaluation(models, data);
  for (const block of run.blocks(users)) {
    for (const [m, model] of run.models.entries()) {
      if (run.isBlend(m)) continue;
      if (model.scoreUsersAsync) await model.scoreUsersAsync(block, run.history, run.buffers[m]!);
      else if (model.scoreUsers) model.scoreUsers(block, run.history, run.buffers[m]!);
      else block.forEach((user, n) => model.scoreUser(user, run.history, run.buffers[m]![n]!));
    }
    run.measure(block);
  }
  return run.accumulators;
}

/** One evaluation pass: per model a buffer for each user of a block, and its metric sums. */
class BlockEvaluation {
  readonly history: Csr;
  readonly accumulators: MetricAccumulator[];
  readonly buffers: Float32Array[][];
  private readonly blends: (number[] | null)[];
  private readonly relevant: Uint8Array;

  constructor(
    readonly models: readonly Recommender[],
    private readonly data: EvaluationData,
  ) {
    const { userItem, itemUser } = data.train;
    this.history = userItem;
    const itemCount = userItem.cols;
    const userShare = itemUserShare(itemUser, userItem.rows);
    const similarity = data.diversitySpace ? embeddingCosine(data.diversitySpace.vectors, data.diversitySpace.dimensions) : readerSetCosine(itemUser);
    this.accumulators = models.map(() => new MetricAccumulator(itemCount, userShare, similarity));
    this.buffers = models.map(() => Array.from({ length: USER_BLOCK }, () => new Float32Array(itemCount)));
    this.blends = models.map((model) => {
      if (!(model instanceof HybridModel)) return null;
      const sources = model.components.map((c) => models.indexOf(c.model));
      return sources.every((s) => s >= 0) ? sources : null;
    });
    this.relevant = new Uint8Array(itemCount);
  }

  /** A hybrid blending scores computed for other models of the pass (scored after them). */
  isBlend(m: number): boolean {
    return this.blends[m] !== null;
  }

  /** `users` that have held-out items, in blocks. */
  *blocks(users: Int32Array): Generator<Int32Array> {
    const test = this.data.test;
    const evaluated = users.filter((user) => test.indptr[user + 1]! > test.indptr[user]!);
    for (let from = 0; from < evaluated.length; from += USER_BLOCK) yield evaluated.subarray(from, Math.min(from + USER_BLOCK, evaluated.length));
  }

  /** With the components' raw scores of `block` in the buffers: the blends, then each user's metrics. */
  measure(block: Int32Array): void {
    const { test } = this.data;
    const { history: userItem, relevant, buffers } = this;
    block.forEach((user, n) => {
      const testFrom = test.indptr[user]!;
      const testTo = test.indptr[user + 1]!;
      for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 1;
      this.models.forEach((model, m) => {
        const sources = this.blends[m];
        if (sources) (model as HybridModel).blend(sources.map((s) => buffers[s]![n]!), buffers[m]![n]!);
      });
      // Blends are computed, so the buffers can be masked in place.
      this.models.forEach((_model, m) => {
        const scores = buffers[m]![n]!;
        for (let e = userItem.indptr[user]!; e < userItem.indptr[user + 1]!; e++) scores[userItem.indices[e]!] = -Infinity;
        this.accumulators[m]!.add(scores, relevant, testTo - testFrom);
      });
      for (let e = testFrom; e < testTo; e++) relevant[test.indices[e]!] = 0;
    });
  }
}

export function usersWithTestItems(test: Csr): Int32Array {
  const users: number[] = [];
  for (let u = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) users.push(u);
  return Int32Array.from(users);
}
