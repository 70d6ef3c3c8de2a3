import { interactionMatrices, csrFromCoordinates, type Csr, type InteractionMatrices } from "../data/csr.ts";
import type { Dataset, Interactions } from "../data/dataset.ts";
import { evaluateModel, usersWithTestItems, type MetricSet } from "../evaluate/evaluate.ts";
import { evaluateModelsParallel } from "../evaluate/evaluate-parallel.ts";
import { createRandom } from "../linalg/random.ts";
import { DEFAULT_ALS, trainAlsThreaded, type AlsModel, type AlsParams } from "../models/als.ts";
import { DEFAULT_CONTENT, NoContentSignalError, trainContent, type ContentModel, type ContentParams } from "../models/content.ts";
import { HybridModel } from "../models/hybrid.ts";
import { tuneHybridWeights } from "../models/hybrid-tuning.ts";
import { DEFAULT_ITEM_CF, trainItemCf, type ItemCfModel, type ItemCfParams } from "../models/item-cf.ts";
import { DEFAULT_POPULARITY, trainPopularity, type PopularityParams } from "../models/popularity.ts";
import type { ModelName, Recommender } from "../models/recommender.ts";
import { splitByTime } from "../split/time-split.ts";
import { silentProgress, type Progress } from "./progress.ts";

export interface TrainingOptions {
  readonly als: AlsParams;
  /**
   * Variations of `als` also tried on the validation slice; the best of all is the
   * one trained on the full training set.
   */
  readonly alsAlternatives: readonly Partial<AlsParams>[];
  /** ALS iterations while comparing settings on validation (the final fit uses `als.iterations`). */
  readonly alsTuningIterations: number;
  readonly itemCf: ItemCfParams;
  /** Variations of `itemCf` also tried on the validation slice (cheap: seconds each). */
  readonly itemCfAlternatives: readonly Partial<ItemCfParams>[];
  readonly popularity: PopularityParams;
  readonly content: ContentParams;
  /** Candidate popularity half-lives tried on the validation slice. */
  readonly popularityHalfLives: readonly number[];
  /** Validation users sampled for tuning (tuning ranks the catalogue once per user and grid point). */
  readonly tuningUsers: number;
  readonly hybridStep: number;
  readonly seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  // Chosen on the validation slices of Goodbooks (many factors, strong regularisation)
  // and of the generated demo data (fewer factors): each dataset picks its own.
  als: DEFAULT_ALS,
  alsAlternatives: [{ factors: 32, regularization: 5, alpha: 1 }],
  alsTuningIterations: 6,
  itemCf: DEFAULT_ITEM_CF,
  // Goodbooks' validation prefers few neighbours and strong damping, the demo data more neighbours.
  itemCfAlternatives: [
    { neighbours: 10, userDamping: 1 },
    { neighbours: 10, userDamping: 0.5 },
    { neighbours: 30, userDamping: 0.5 },
  ],
  popularity: DEFAULT_POPULARITY,
  content: DEFAULT_CONTENT,
  popularityHalfLives: [0.02, 0.1, 0.5, Infinity],
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
}

export class EmptyDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmptyDataError";
  }
}

/**
 * Trains every model on `train` and evaluates each on `test` over the full
 * catalogue. Hyperparameters that have a search (popularity half-life, item-CF
 * neighbours and damping, ALS settings, hybrid weights) are chosen on a validation
 * slice cut from the end of each user's training interactions, with models fitted
 * on the rest, so the test set is never looked at.
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
  const hasContent = dataset.features?.some((f) => f !== undefined) ?? false;

  progress.stage("validation split");
  const inner = splitByTime(split.train, userCount);
  const fit = interactionMatrices(inner.train, userCount, itemCount);
  const validation = csrFromCoordinates(userCount, itemCount, inner.test.users, inner.test.items, inner.test.values);
  const tuningUsers = sampleUsers(usersWithTestItems(validation), options.tuningUsers, options.seed);

  const contentStarted = performance.now();
  let content: ContentModel | undefined;
  let contentSkipped: string | undefined = hasContent ? undefined : "no book metadata";
  if (hasContent) {
    try {
      content = trainContent(dataset.features!, options.content);
    } catch (error) {
      // Metadata without signal costs the run one model, not the whole run.
      if (!(error instanceof NoContentSignalError)) throw error;
      contentSkipped = error.message;
    }
  }
  const contentSeconds = (performance.now() - contentStarted) / 1000;
  const diversitySpace = content ? { vectors: content.embeddings, dimensions: content.dimensions } : undefined;
  const validationData = { train: fit, test: validation, ...(diversitySpace ? { diversitySpace } : {}) };

  progress.stage("tuning popularity");
  let bestPopularity = { halfLifeFraction: options.popularity.halfLifeFraction, ndcg: -1 };
  for (const halfLifeFraction of options.popularityHalfLives) {
    const ndcg = evaluateModel(trainPopularity(inner.train, itemCount, { halfLifeFraction }), validationData, tuningUsers).ndcgAt10;
    if (ndcg > bestPopularity.ndcg) bestPopularity = { halfLifeFraction, ndcg };
  }
  const popularityParams: PopularityParams = { halfLifeFraction: bestPopularity.halfLifeFraction };

  let bestCf: { model: ItemCfModel; ndcg: number } | undefined;
  const cfTrials: { params: ItemCfParams; ndcgAt10: number }[] = [];
  progress.stage("tuning item-cf");
  for (const params of [options.itemCf, ...options.itemCfAlternatives.map((change) => ({ ...options.itemCf, ...change }))]) {
    const model = trainItemCf(fit, params);
    const ndcg = evaluateModel(model, validationData, tuningUsers).ndcgAt10;
    cfTrials.push({ params, ndcgAt10: ndcg });
    if (!bestCf || ndcg > bestCf.ndcg) bestCf = { model, ndcg };
  }
  const cfParams = bestCf!.model.params;

  let bestAls: { model: AlsModel; params: AlsParams; ndcg: number } | undefined;
  const alsTrials: { params: AlsParams; ndcgAt10: number }[] = [];
  const alsCandidates: AlsParams[] = [options.als, ...options.alsAlternatives.map((change) => ({ ...options.als, ...change }))];
  for (const [c, params] of alsCandidates.entries()) {
    progress.stage(`tuning ALS (${c + 1}/${alsCandidates.length})`);
    const iterations = Math.min(params.iterations, options.alsTuningIterations);
    const model = await trainAlsThreaded(fit, { ...params, iterations }, (done, total) => progress.step("ALS", done, total));
    const ndcg = evaluateModel(model, validationData, tuningUsers).ndcgAt10;
    alsTrials.push({ params, ndcgAt10: ndcg });
    if (!bestAls || ndcg > bestAls.ndcg) bestAls = { model, params, ndcg };
  }
  if (!bestAls) throw new Error("no ALS settings to try");
  const alsParams = bestAls.params;

  progress.stage("tuning hybrid weights");
  const fitComponents: Recommender[] = [trainPopularity(inner.train, itemCount, popularityParams), bestCf!.model, bestAls.model];
  if (content) fitComponents.push(content);
  const tuned = tuneHybridWeights(fitComponents, fit.userItem, validation, tuningUsers, options.hybridStep);

  const models = new Map<ModelName, TrainedModel>();
  const timed = async (name: string, build: () => Recommender | Promise<Recommender>) => {
    progress.stage(`training ${name}`);
    const started = performance.now();
    const model = await build();
    return { model, trainSeconds: (performance.now() - started) / 1000 };
  };
  const finalModels = [
    await timed("popularity", () => trainPopularity(split.train, itemCount, popularityParams)),
    await timed("item-cf", () => trainItemCf(train, cfParams)),
    await timed("als", () => trainAlsThreaded(train, alsParams, (done, total) => progress.step("ALS", done, total))),
    // Content embeddings do not depend on interactions: the validation model is the final one.
    ...(content ? [{ model: content as Recommender, trainSeconds: contentSeconds }] : []),
  ];
  const hybridStarted = performance.now();
  const hybrid = new HybridModel(finalModels.map((entry, c) => ({ model: entry.model, weight: tuned.weights[c]! })));
  const hybridSeconds = finalModels.reduce((sum, m) => sum + m.trainSeconds, 0) + (performance.now() - hybridStarted) / 1000;

  progress.stage("evaluating on the test set");
  const entries = [...finalModels, { model: hybrid as Recommender, trainSeconds: hybridSeconds }];
  const metrics = await evaluateModelsParallel(
    entries.map((e) => e.model),
    { train, test, ...(diversitySpace ? { diversitySpace } : {}) },
  );
  for (const entry of entries) models.set(entry.model.name, { ...entry, metrics: metrics.get(entry.model)! });
  return {
    models,
    train,
    test,
    ...(diversitySpace ? { diversitySpace } : {}),
    counts: { trainRows: split.train.users.length, testRows: split.test.users.length, userCount, itemCount },
    validation: {
      users: tuningUsers.length,
      popularityHalfLifeFraction: Number.isFinite(popularityParams.halfLifeFraction) ? popularityParams.halfLifeFraction : "Infinity",
      popularityNdcgAt10: bestPopularity.ndcg,
      itemCf: cfTrials,
      als: alsTrials,
      diversitySpace: diversitySpace ? "content embeddings" : "reader sets",
      ...(contentSkipped ? { contentSkipped } : {}),
      hybridWeights: Object.fromEntries(fitComponents.map((m, c) => [m.name, tuned.weights[c]])),
      hybridNdcgAt10: tuned.ndcgAt10,
    },
  };
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
