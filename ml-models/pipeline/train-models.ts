import type { AnyAlgorithm, TrainingData } from "../algorithms/algorithm.ts";
import { ALGORITHMS } from "../algorithms/registry.ts";
import { interactionMatrices, csrFromCoordinates, type Csr, type InteractionMatrices } from "../data/csr.ts";
import type { Dataset, Interactions } from "../data/dataset.ts";
import { evaluateModel, usersWithTestItems, type MetricSet } from "../evaluate/evaluate.ts";
import { evaluateModelsParallel } from "../evaluate/evaluate-parallel.ts";
import { createRandom } from "../linalg/random.ts";
import { HybridModel } from "../models/hybrid.ts";
import { tuneHybridWeights } from "../models/hybrid-tuning.ts";
import type { ModelName, Recommender } from "../models/recommender.ts";
import { splitByTime } from "../split/time-split.ts";
import { silentProgress, type Progress } from "./progress.ts";

export interface TrainingOptions {
  /** The algorithms to train (default: the registry's). */
  readonly algorithms?: readonly AnyAlgorithm[];
  /** Per algorithm, changes to its defaults (the base every candidate setting starts from). */
  readonly params?: Readonly<Record<string, object>>;
  /** Per algorithm, a search space replacing its own ([] = train the defaults untuned). */
  readonly searchSpaces?: Readonly<Record<string, readonly object[]>>;
  /**
   * The quick embedded first start: only the algorithms marked for the first run, each
   * with its defaults (no search); the next full run tunes and trains them all.
   */
  readonly firstRunOnly?: boolean;
  /** Time one algorithm may spend on validation trials; the trial running when it ends finishes. */
  readonly tuningSecondsPerAlgorithm: number;
  /** Validation users sampled for tuning (tuning ranks the catalogue once per user and setting). */
  readonly tuningUsers: number;
  /** Test users sampled for the final metrics (default: every user with test items). */
  readonly evaluationUsers?: number;
  /** Threads the final metrics may use (default: one per core; the metrics are the same). */
  readonly evaluationThreads?: number;
  readonly hybridStep: number;
  readonly seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  tuningSecondsPerAlgorithm: 45,
  tuningUsers: 500,
  hybridStep: 0.25,
  seed: 1,
};

export interface TrainedModel {
  readonly model: Recommender;
  readonly metrics: MetricSet;
  readonly trainSeconds: number;
}

export interface TrainingResult {
  readonly models: ReadonlyMap<ModelName, TrainedModel>;
  readonly train: InteractionMatrices;
  readonly test: Csr;
  /** Vectors the diversity metric uses; production is re-scored in the same space. */
  readonly diversitySpace?: { readonly vectors: Float32Array; readonly dimensions: number };
  readonly counts: { trainRows: number; testRows: number; userCount: number; itemCount: number };
  readonly validation: Record<string, unknown>;
  /** Wall time of the final evaluation on the test set. */
  readonly evaluationSeconds: number;
}

export class EmptyDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmptyDataError";
  }
}

interface Trial {
  readonly params: object;
  readonly ndcgAt10: number;
  readonly seconds: number;
}

/**
 * Trains every algorithm on `train` and evaluates each on `test` over the full
 * catalogue. Each algorithm's settings are chosen on a validation slice cut from the
 * end of each user's training interactions, with models fitted on the rest, trying
 * its search space while its time budget lasts; the hybrid's blend over all of them
 * is learned on the same slice. The test set is never looked at.
 */
export async function trainAndEvaluate(
  dataset: Dataset,
  split: { train: Interactions; test: Interactions },
  options: TrainingOptions = DEFAULT_TRAINING,
  progress: Progress = silentProgress,
): Promise<TrainingResult> {
  const userCount = dataset.userMap.ids.length;
  const itemCount = dataset.itemMap.ids.length;
  if (split.train.users.length === 0) throw new EmptyDataError("no training interactions: nothing to learn from");
  if (split.test.users.length === 0) throw new EmptyDataError("no test interactions: no user has enough history to hold some out (need 5 or more)");
  const train = interactionMatrices(split.train, userCount, itemCount);
  const test = csrFromCoordinates(userCount, itemCount, split.test.users, split.test.items, split.test.values);
  const trainingData = (matrices: InteractionMatrices, interactions: Interactions): TrainingData => ({
    matrices,
    interactions,
    userCount,
    itemCount,
    ...(dataset.features ? { features: dataset.features } : {}),
    progress,
  });

  progress.stage("validation split");
  const inner = splitByTime(split.train, userCount);
  const fit = interactionMatrices(inner.train, userCount, itemCount);
  const validation = csrFromCoordinates(userCount, itemCount, inner.test.users, inner.test.items, inner.test.values);
  const tuningUsers = sampleUsers(usersWithTestItems(validation), options.tuningUsers, options.seed);
  const fitData = trainingData(fit, inner.train);
  const finalData = trainingData(train, split.train);

  const all = options.algorithms ?? ALGORITHMS;
  const algorithms = options.firstRunOnly ? all.filter((a) => a.firstRun) : all;
  const skipped: Record<string, string> = {};
  const trials: Record<string, Trial[]> = {};
  const chosen: { algorithm: AnyAlgorithm; params: object; fitted: Recommender }[] = [];
  let diversitySpace: TrainingResult["diversitySpace"];

  for (const algorithm of algorithms) {
    const why = algorithm.unavailable?.(finalData) ?? null;
    if (why) {
      skipped[algorithm.name] = why;
      continue;
    }
    progress.stage(`tuning ${algorithm.name}`);
    const base = { ...algorithm.defaults, ...(options.params?.[algorithm.name] ?? {}) };
    const space = options.firstRunOnly ? [] : (options.searchSpaces?.[algorithm.name] ?? algorithm.searchSpace);
    const candidates = [base, ...space.map((change) => ({ ...base, ...change }))];
    const started = performance.now();
    let best: { params: object; fitted: Recommender; ndcg: number } | undefined;
    const tried: Trial[] = [];
    for (const params of candidates) {
      if (best && (performance.now() - started) / 1000 > options.tuningSecondsPerAlgorithm) break;
      const trialStarted = performance.now();
      let fitted: Recommender;
      try {
        fitted = await algorithm.train(fitData, algorithm.forTuning?.(params) ?? params);
      } catch (error) {
        // Settings the data cannot support (metadata without signal...) cost this candidate, not the run.
        if (best || candidates.length > 1) {
          tried.push({ params, ndcgAt10: Number.NaN, seconds: (performance.now() - trialStarted) / 1000 });
          continue;
        }
        skipped[algorithm.name] = (error as Error).message;
        break;
      }
      const ndcg = evaluateModel(fitted, { train: fit, test: validation, ...(diversitySpace ? { diversitySpace } : {}) }, tuningUsers).ndcgAt10;
      tried.push({ params, ndcgAt10: ndcg, seconds: (performance.now() - trialStarted) / 1000 });
      if (!best || ndcg > best.ndcg) best = { params, fitted, ndcg };
    }
    trials[algorithm.name] = tried;
    if (!best) {
      skipped[algorithm.name] ??= "no setting could be trained";
      continue;
    }
    chosen.push({ algorithm, params: best.params, fitted: best.fitted });
    // Content embeddings measure diversity for every model when the run has them.
    if (algorithm.role === "content" && !diversitySpace) {
      const embedded = best.fitted as unknown as { embeddings?: Float32Array; dimensions?: number };
      if (embedded.embeddings && embedded.dimensions) diversitySpace = { vectors: embedded.embeddings, dimensions: embedded.dimensions };
    }
  }
  if (chosen.length === 0) throw new EmptyDataError("no algorithm could be trained on this data");

  progress.stage("learning the hybrid blend");
  const tuned = tuneHybridWeights(
    chosen.map((c) => c.fitted),
    fit.userItem,
    validation,
    tuningUsers,
    options.hybridStep,
  );

  const finalModels: { model: Recommender; trainSeconds: number }[] = [];
  for (const { algorithm, params, fitted } of chosen) {
    progress.stage(`training ${algorithm.name}`);
    const started = performance.now();
    // An algorithm that reads no interactions (content) gives the same model on both slices.
    const model = algorithm.role === "content" ? fitted : await algorithm.train(finalData, params);
    finalModels.push({ model, trainSeconds: (performance.now() - started) / 1000 });
  }
  const hybridStarted = performance.now();
  const hybrid = new HybridModel(finalModels.map((entry, c) => ({ model: entry.model, weight: tuned.weights[c]! })));
  const hybridSeconds = finalModels.reduce((sum, m) => sum + m.trainSeconds, 0) + (performance.now() - hybridStarted) / 1000;

  progress.stage("evaluating on the test set");
  const entries = [...finalModels, { model: hybrid as Recommender, trainSeconds: hybridSeconds }];
  const evaluationStarted = performance.now();
  const testUsers = usersWithTestItems(test);
  const evaluatedUsers = options.evaluationUsers === undefined ? testUsers : sampleUsers(testUsers, options.evaluationUsers, options.seed);
  const metrics = await evaluateModelsParallel(
    entries.map((e) => e.model),
    { train, test, ...(diversitySpace ? { diversitySpace } : {}) },
    { users: evaluatedUsers, ...(options.evaluationThreads ? { threads: options.evaluationThreads } : {}) },
  );
  const evaluationSeconds = (performance.now() - evaluationStarted) / 1000;
  const models = new Map<ModelName, TrainedModel>();
  for (const entry of entries) models.set(entry.model.name, { ...entry, metrics: metrics.get(entry.model)! });
  return {
    models,
    train,
    test,
    ...(diversitySpace ? { diversitySpace } : {}),
    counts: { trainRows: split.train.users.length, testRows: split.test.users.length, userCount, itemCount },
    evaluationSeconds,
    validation: {
      users: tuningUsers.length,
      testUsersEvaluated: evaluatedUsers.length,
      chosen: Object.fromEntries(chosen.map((c) => [c.algorithm.name, printable(c.params)])),
      trials: Object.fromEntries(Object.entries(trials).map(([name, list]) => [name, list.map((t) => ({ ...t, params: printable(t.params) }))])),
      diversitySpace: diversitySpace ? "content embeddings" : "reader sets",
      ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
      hybridWeights: Object.fromEntries(chosen.map((c, i) => [c.algorithm.name, tuned.weights[i]])),
      hybridNdcgAt10: tuned.ndcgAt10,
    },
  };
}

/** JSON has no Infinity: settings are reported with it spelled out. */
function printable(params: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typeof value === "number" && !Number.isFinite(value) ? String(value) : value]));
}

function sampleUsers(users: Int32Array, size: number, seed: number): Int32Array {
  if (users.length <= size) return users;
  const random = createRandom(seed);
  const shuffled = users.slice();
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled.subarray(0, size).slice().sort();
}
