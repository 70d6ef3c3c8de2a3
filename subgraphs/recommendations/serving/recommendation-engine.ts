import { resolve } from "node:path";
import type { Cache } from "../../../lib/cache.ts";
import type { Config } from "../../../lib/config.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { CacheWarmer } from "./cache-warmer.ts";
import { FallbackLists } from "./fallback-lists.ts";
import { InferencePool } from "./inference-pool.ts";
import { InferenceRunner } from "./inference-runner.ts";
import { ListCache } from "./list-cache.ts";
import { ModelLists } from "./model-lists.ts";
import { ModelStore, type ModelPin } from "./model-store.ts";
import { ExperimentVariants } from "../../../lib/experiments/serving-variants.ts";
import { FallbackLog } from "./fallback-log.ts";
import { ReaderVariants, variantLabel } from "./reader-variants.ts";
import { RecommendationLogWriter } from "./recommendation-log.ts";
import { ListTelemetry } from "./list-telemetry.ts";
import { clamp01, type DeliveredList, type Prediction, type ServedList, type Strategy } from "./served-list.ts";
import { ServingMetrics } from "./serving-metrics.ts";
import { SharedBatcher } from "./shared-batcher.ts";
import { TimeBudgetExceeded, withinBudget } from "./time-budget.ts";
import { ServingPath, type ServeContext } from "./serving-path.ts";
import { BookFactsCache } from "./book-facts-cache.ts";
import { ReaderHistories } from "./reader-histories.ts";
import { UserVectors } from "./user-vectors.ts";
import { ModelLifecycle } from "./model-lifecycle.ts";
import { ReaderSignals } from "./reader-signals.ts";

export { LIST_LENGTH } from "./served-list.ts";
export { TimeBudgetExceeded } from "./time-budget.ts";
export type { ServeContext } from "./serving-path.ts";

export interface EngineOptions {
  batching: boolean;
  caching: boolean;
  warmOnSwitch: boolean;
}

/**
 * Serves recommendations: each list goes the way `serving-path.ts` lays down, cache
 * (`list-cache.ts`) -> production models within the time budget (`model-lists.ts`)
 * -> the last model answer -> model-free lists (`fallback-lists.ts`). Which versions
 * serve changes in `model-lifecycle.ts`; what a reader's own actions change, in
 * `reader-signals.ts`; readers' histories and book facts are held by
 * `reader-histories.ts` and `book-facts-cache.ts`.
 */
export class RecommendationEngine {
  readonly models: ModelStore;
  readonly runner: InferenceRunner;
  readonly batcher: SharedBatcher;
  readonly metrics = new ServingMetrics();
  /** Prometheus business and model metrics: impressions, clicks, diversity, model versions and accuracy. */
  readonly telemetry: ListTelemetry;
  timeBudgetMs: number;
  private readonly pool: InferencePool | null;
  private readonly lists: ListCache;
  private readonly variants: ReaderVariants;
  private readonly vectors: UserVectors;
  readonly histories: ReaderHistories;
  readonly bookFacts: BookFactsCache;
  private readonly modelLists: ModelLists;
  private readonly fallbacks: FallbackLists;
  private readonly logWriter: RecommendationLogWriter;
  private readonly fallbackLog: FallbackLog;
  private readonly path: ServingPath;
  private readonly lifecycle: ModelLifecycle;
  /** A reader's own actions (new signals, erasure) applied to what serves them. */
  readonly readers: ReaderSignals;
  private readonly warmer: CacheWarmer;
  private preloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
    private readonly logger: Logger,
    config: Config,
    readonly options: EngineOptions = { batching: true, caching: true, warmOnSwitch: true },
  ) {
    const threads = { intraOp: config.INFERENCE_THREADS };
    this.pool = new InferencePool(config.INFERENCE_WORKERS, logger, threads);
    this.runner = new InferenceRunner(this.pool, config.INFERENCE_WORKER_THRESHOLD);
    this.batcher = new SharedBatcher(this.runner, config.INFERENCE_MAX_BATCH, config.INFERENCE_BATCH_WINDOW_MS, options.batching);
    this.timeBudgetMs = config.RECOMMENDATION_TIME_BUDGET_MS;
    this.models = new ModelStore(prisma, resolve(config.MODEL_ARTIFACTS_DIR), logger, (model) => {
      for (const file of model.files) this.pool?.forget(model.filePath(file));
    }, threads);
    this.models.onLoadFailure = (model) => this.metrics.countLoadFailure(model);
    this.lists = new ListCache(cache, () => this.models.versionTag(), this.metrics);
    this.variants = new ReaderVariants(new ExperimentVariants(prisma, cache, config.EXPERIMENT_HOLDOUT_PERCENT), logger);
    this.histories = new ReaderHistories(prisma, { maxReaders: config.READER_HISTORY_CACHE_SIZE, ttlMs: config.READER_HISTORY_TTL_SECONDS * 1000 });
    this.histories.enabled = options.caching;
    this.bookFacts = new BookFactsCache(prisma, { maxBooks: config.CACHE_MAX_ENTRIES, ttlMs: config.CACHE_TTL_SECONDS * 1000 });
    this.vectors = new UserVectors(this.histories, this.metrics);
    this.fallbacks = new FallbackLists(prisma, this.models);
    this.modelLists = new ModelLists(this.histories, this.bookFacts, this.models, this.batcher, this.vectors, this.fallbacks);
    this.logWriter = new RecommendationLogWriter(prisma, logger, {
      anonymousSampleRate: config.RECOMMENDATION_LOG_ANONYMOUS_SAMPLE_RATE,
      retentionDays: config.RECOMMENDATION_LOG_RETENTION_DAYS,
    });
    this.fallbackLog = new FallbackLog(logger);
    this.telemetry = new ListTelemetry(this.models);
    this.path = new ServingPath({
      lists: this.lists,
      models: this.models,
      metrics: this.metrics,
      telemetry: this.telemetry,
      logWriter: this.logWriter,
      fallbackLog: this.fallbackLog,
      logger,
      timeBudgetMs: () => this.timeBudgetMs,
      caching: () => this.options.caching,
    });
    this.readers = new ReaderSignals(this.models, this.vectors, this.histories, this.lists, this.telemetry, this.logWriter);
    this.warmer = new CacheWarmer(
      prisma,
      this.models,
      this.metrics,
      logger,
      (bookId) => this.similarList(bookId, "HYBRID", false, { requestId: null, log: false }, variantLabel(null)),
      () => this.options.caching && this.options.warmOnSwitch,
    );
    this.lifecycle = new ModelLifecycle(this.models, this.telemetry, this.variants, prisma, logger, () => void this.warmer.warm());
  }

  /** Turns batching/caching on or off at run time (the bench compares them in one process). */
  configure(options: Partial<EngineOptions>): void {
    Object.assign(this.options, options);
    this.batcher.enabled = this.options.batching;
    this.histories.enabled = this.options.caching;
  }

  async start(): Promise<void> {
    await this.lifecycle.start();
    // In the background: serving does not wait for it, a miss simply reads its books.
    this.preloading = this.bookFacts.preload().then(
      (books) => this.logger.debug({ books }, "book facts preloaded"),
      (error: unknown) => this.logger.warn({ err: error }, "could not preload book facts; they are read as lists need them"),
    );
  }

  ready(): void {
    this.lifecycle.ready();
  }

  switchModel(event: { name: ModelName; version: number }): Promise<void> {
    return this.lifecycle.switchModel(event);
  }

  releaseUnpinned(): Promise<void> {
    return this.lifecycle.releaseUnpinned();
  }

  async stop(): Promise<void> {
    this.lifecycle.stop();
    await this.warmer.stop();
    await this.preloading;
    await this.logWriter.close();
    await this.models.close();
    await this.pool?.stop();
  }

  /** Fills the cache with the most popular books' similar lists, in the background (as after a model switch). */
  warm(): Promise<void> {
    return this.warmer.warm();
  }

  // ---- public API -------------------------------------------------------

  /** A book's similar books; a signed-in viewer in a SIMILAR_BOOKS experiment gets their arm's strategy. */
  async similar(bookId: number, strategy: Strategy, diversify: boolean, context: ServeContext): Promise<DeliveredList> {
    const variant = await this.variants.of("SIMILAR_BOOKS", context.viewerId);
    const served = this.variants.strategyOf(variant, strategy);
    const list = await this.similarList(bookId, served, diversify, context, variantLabel(variant), this.variants.pinOf(variant, served));
    return this.variants.deliver(list, variant, context.viewerId);
  }

  /** A reader's recommendations; in a USER_RECOMMENDATIONS experiment, their arm's strategy. */
  async forUser(userId: number, requested: Strategy, excludeRead: boolean, diversify: boolean, context: ServeContext): Promise<DeliveredList> {
    const variant = await this.variants.of("USER_RECOMMENDATIONS", userId);
    const strategy = this.variants.strategyOf(variant, requested);
    const list = await this.path.serve({ kind: "reader", userId, strategy, excludeRead, diversify }, context, { userId, seedBookId: null, strategy, variant: variantLabel(variant) }, {
      compute: () => (strategy === "POPULARITY" ? this.fallbacks.popularityList(excludeRead ? userId : null) : this.modelLists.forReader(userId, strategy, excludeRead, diversify, this.variants.pinOf(variant, strategy))),
      fallback: () => this.fallbacks.forReader(userId, excludeRead),
    });
    return this.variants.deliver(list, variant, userId);
  }

  /** Similar lists are the same for every reader of one arm, so they share its cache entries. */
  private similarList(bookId: number, strategy: Strategy, diversify: boolean, context: ServeContext, variant: string, pin: ModelPin | null = null): Promise<ServedList> {
    return this.path.serve({ kind: "similar", bookId, strategy, diversify }, context, { userId: null, seedBookId: bookId, strategy, variant }, {
      compute: () => (strategy === "POPULARITY" ? this.fallbacks.popularityList(null) : this.modelLists.similar(bookId, strategy, diversify, pin)),
      fallback: () => this.fallbacks.similar(bookId),
    });
  }

  /** A reader and a seed book: the seed's similar books re-ranked by the reader's predicted taste. */
  async forUserAndBook(userId: number, bookId: number, requested: Strategy, diversify: boolean, context: ServeContext): Promise<DeliveredList> {
    const variant = await this.variants.of("USER_RECOMMENDATIONS", userId);
    const strategy = this.variants.strategyOf(variant, requested);
    const [similar, history] = await Promise.all([
      this.similarList(bookId, strategy, diversify, { requestId: context.requestId, log: false }, variantLabel(variant), this.variants.pinOf(variant, strategy)),
      this.histories.of(userId),
    ]);
    const read = new Set(history.bookIds);
    const candidates = similar.items.filter((item) => !read.has(item.bookId) && item.bookId !== bookId);
    const taste = await this.scores(userId, candidates.map((item) => item.bookId));
    const items = candidates
      .map((item) => ({ ...item, score: clamp01(0.5 * item.score + 0.5 * (taste.get(item.bookId) ?? 0)) }))
      .sort((a, b) => b.score - a.score);
    const list: ServedList = { ...similar, items, algorithm: `${similar.algorithm}+personal` };
    this.path.record(list, context, { userId, seedBookId: bookId, strategy, variant: variantLabel(variant) });
    return this.variants.deliver(list, variant, userId);
  }

  /** Predicted preference of `userId` for each book, 0 to 1; popularity where the model cannot say. */
  async scores(userId: number, bookIds: readonly number[]): Promise<Map<number, number>> {
    const predictions = await this.predictions(userId, bookIds);
    return new Map([...predictions].map(([id, prediction]) => [id, prediction.score]));
  }

  /**
   * The same with what produced each score: the collaborative models that can score
   * pairs, blended by the recipe (without a model that cannot be loaded: the
   * algorithm names only those that served, the load failure is logged and counted
   * by ServingMetrics), or popularity when none can (not loaded, failed, over the
   * time budget), said in `source`/`algorithm` and, at most once a minute per
   * reason, in the log.
   */
  async predictions(userId: number, bookIds: readonly number[]): Promise<Map<number, Prediction>> {
    try {
      const predicted = await withinBudget(this.modelLists.predictions(userId, bookIds), this.timeBudgetMs);
      if (predicted) return predicted;
      this.metrics.countFallback("scores:model-missing");
      this.fallbackLog.note("scores:model-missing", () => ({ model: "als", why: this.models.whyMissing("als") }));
    } catch (error) {
      const reason = error instanceof TimeBudgetExceeded ? "scores:time-budget" : "scores:model-error";
      this.metrics.countFallback(reason);
      this.fallbackLog.note(reason, () => ({ model: "als", err: error }));
    }
    return this.fallbacks.popularityPredictions(bookIds);
  }

  snapshot() {
    const lookups = this.metrics.cacheHits + this.metrics.cacheMisses;
    return {
      models: this.models.versions(),
      modelLoadFailures: this.models.loadFailures,
      modelsMissing: this.models.missing(),
      modelSwitches: this.models.switches,
      cache: { hits: this.metrics.cacheHits, misses: this.metrics.cacheMisses, hitRate: lookups === 0 ? 0 : this.metrics.cacheHits / lookups },
      served: { ...this.metrics.served },
      fallbacks: { ...this.metrics.fallbacks },
      inference: { ...this.runner.counters, byGraph: { ...this.runner.counters.byGraph } },
      foldIns: this.metrics.foldIns,
      invalidations: this.metrics.invalidations,
      warmed: this.metrics.warmed,
      timeBudgetMs: this.timeBudgetMs,
      options: this.options,
    };
  }
}
