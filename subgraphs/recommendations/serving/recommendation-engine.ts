import { resolve } from "node:path";
import type { Cache } from "../../../lib/cache.ts";
import type { Config } from "../../../lib/config.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import { MODEL_FILES } from "../../../lib/models/artifact-format.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { booksForUser, popularBooksForUser, similarBooks, type ScoredBook } from "../co-occurrence.ts";
import { TRENDING_LIST_LENGTH, type TrendingEntry } from "../../../lib/trending/trending-changed.ts";
import { bookFacts, booksForStatedPreferences, booksSharingMetadata, trendingBooks, type TrendingWindow } from "./catalogue.ts";
import { maximalMarginalRelevance } from "./diversify.ts";
import { foldInUser } from "./fold-in.ts";
import { forgetTrainedVector } from "./forget-reader.ts";
import { alsPairScores, alsUserTopK, cfNeighbours, contentNeighbours, historyTopK, type IndexedList } from "./graphs.ts";
import { InferencePool } from "./inference-pool.ts";
import { InferenceRunner } from "./inference-runner.ts";
import type { LoadedModel } from "./loaded-model.ts";
import { ModelStore } from "./model-store.ts";
import { personalReasons, similarReasons } from "./reasons.ts";
import { RecommendationLogWriter } from "./recommendation-log.ts";
import { clamp01, type ServedItem, type ServedList, type Source, type Strategy } from "./served-list.ts";
import { ServingMetrics } from "./serving-metrics.ts";
import { SharedBatcher } from "./shared-batcher.ts";
import { readHistory, type HistoryEntry } from "./user-history.ts";

/** Lists are computed (and cached) at this length; any requested limit is a prefix. */
export const LIST_LENGTH = 50;
const LOW_CONFIDENCE = 0.3;
const STALE_TTL_SECONDS = 24 * 3600;
const TRENDING_TTL_SECONDS = 60;
const WARM_BOOKS = 50;
const STRATEGIES: Strategy[] = ["CF", "CONTENT", "HYBRID"];
const DEFAULT_VARIANT = "default";
const VARIANT_TTL_SECONDS = 60;

interface LogFields {
  readonly userId: number | null;
  readonly seedBookId: number | null;
  readonly strategy: Strategy;
  readonly variant: string;
}

export interface EngineOptions {
  batching: boolean;
  caching: boolean;
  warmOnSwitch: boolean;
}

export interface ServeContext {
  readonly requestId: string | null;
  /** Who asked: logged with lists that are not personal (similar books), for the A/B analysis. */
  readonly viewerId?: number | null;
  readonly log: boolean;
}

export class TimeBudgetExceeded extends Error {
  constructor(ms: number) {
    super(`model answer exceeded the ${ms} ms time budget`);
    this.name = "TimeBudgetExceeded";
  }
}

interface Component {
  readonly model: LoadedModel;
  readonly weight: number;
  readonly scores: Map<number, number>;
}

/**
 * Serves recommendations from the production models: shared batched inference,
 * two-level caching keyed by model versions and experiment variant, the real-time
 * fold-in of a reader's new signals, and the fallback chain model -> cached answer
 * -> model-free lists, so a broken model never fails a request.
 */
export class RecommendationEngine {
  readonly models: ModelStore;
  readonly runner: InferenceRunner;
  readonly batcher: SharedBatcher;
  readonly metrics = {
    served: {} as Record<string, number>,
    fallbacks: {} as Record<string, number>,
    cacheHits: 0,
    cacheMisses: 0,
    foldIns: 0,
    invalidations: 0,
    warmed: 0,
  };
  readonly servingMetrics: ServingMetrics;
  timeBudgetMs: number;
  private readonly pool: InferencePool | null;
  private readonly foldIns = new WeakMap<LoadedModel, Map<number, Float32Array>>();
  private readonly logWriter: RecommendationLogWriter;
  private warming: Promise<void> = Promise.resolve();
  private warmQueued = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
    private readonly logger: Logger,
    config: Config,
    readonly options: EngineOptions = { batching: true, caching: true, warmOnSwitch: true },
  ) {
    this.pool = new InferencePool(config.INFERENCE_WORKERS, logger);
    this.runner = new InferenceRunner(this.pool, config.INFERENCE_WORKER_THRESHOLD);
    this.batcher = new SharedBatcher(this.runner, config.INFERENCE_MAX_BATCH, config.INFERENCE_BATCH_WINDOW_MS, options.batching);
    this.timeBudgetMs = config.RECOMMENDATION_TIME_BUDGET_MS;
    this.models = new ModelStore(prisma, resolve(config.MODEL_ARTIFACTS_DIR), logger, (model) => {
      for (const file of Object.values(MODEL_FILES[model.name])) this.pool?.forget(model.filePath(file));
    });
    this.logWriter = new RecommendationLogWriter(prisma, logger);
    this.servingMetrics = new ServingMetrics(this.models);
  }

  /** Turns batching/caching on or off at run time (the bench compares them in one process). */
  configure(options: Partial<EngineOptions>): void {
    Object.assign(this.options, options);
    this.batcher.enabled = this.options.batching;
  }

  async start(): Promise<void> {
    await this.models.loadProduction().catch((error: unknown) => this.logger.error({ err: error }, "cannot read the model registry; serving fallbacks"));
    await this.servingMetrics.modelsChanged(this.prisma, this.logger);
    this.warm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.warming.catch(() => {});
    await this.logWriter.close();
    await this.models.close();
    await this.pool?.stop();
  }

  async switchModel(event: { name: ModelName; version: number }): Promise<void> {
    await this.models.handleModelChanged(event);
    await this.servingMetrics.modelsChanged(this.prisma, this.logger);
    this.warm();
  }

  /** Fills the cache with the most popular books' similar lists, in the background. */
  warm(): Promise<void> {
    if (!this.options.caching || !this.options.warmOnSwitch) return this.warming;
    // Several models switch together after a training run: one queued warm-up serves them all.
    if (this.warmQueued) return this.warming;
    this.warmQueued = true;
    this.warming = this.warming.then(async () => {
      this.warmQueued = false;
      try {
        // Without a model there is nothing worth caching: fallback lists are never cached.
        const versions = this.models.versions();
        if (versions["item-cf"] === undefined && versions.content === undefined) return;
        const popular = await popularBooksForUser(this.prisma, null, WARM_BOOKS);
        for (const book of popular) {
          if (this.stopped) return;
          await this.similar(book.bookId, "HYBRID", false, { requestId: null, log: false });
          this.metrics.warmed += 1;
        }
      } catch (error) {
        this.logger.warn({ err: error }, "cache warm-up failed");
      }
    });
    return this.warming;
  }

  // ---- public API -------------------------------------------------------

  similar(bookId: number, strategy: Strategy, diversify: boolean, context: ServeContext): Promise<ServedList> {
    // Similar lists are the same for every reader, so they share the default variant's entries.
    return this.serve(`similar:${bookId}:${strategy}:${diversify ? 1 : 0}`, context, { userId: null, seedBookId: bookId, strategy, variant: DEFAULT_VARIANT }, {
      compute: () => this.modelSimilar(bookId, strategy, diversify),
      fallback: async () => {
        const title = (await this.titleOf(bookId)) ?? "this book";
        const neighbours = (await similarBooks(this.prisma, [bookId])).get(bookId) ?? [];
        if (neighbours.length > 0) return this.modelFree(neighbours, "CO_OCCURRENCE", "co-occurrence", [`Readers of ${title} also read this`]);
        // A book nobody has read together with anything yet (typically one newer than the models).
        const related = await booksSharingMetadata(this.prisma, bookId, LIST_LENGTH);
        if (related.length > 0) {
          return {
            items: related.map((book) => ({
              bookId: book.bookId,
              score: clamp01(book.score),
              reasons: book.sameAuthor ? [`Same author as ${title}`] : [`Also ${book.genre ?? "in the same genre"}, like ${title}`],
            })),
            source: "METADATA",
            algorithm: "shared-authors-genres",
            modelName: null,
            modelVersion: null,
          };
        }
        return this.popularityList(null);
      },
    });
  }

  async forUser(userId: number, strategy: Strategy, excludeRead: boolean, diversify: boolean, context: ServeContext): Promise<ServedList> {
    const variant = await this.variantOf(userId);
    return this.serve(this.userSuffix(userId, strategy, excludeRead, diversify), context, { userId, seedBookId: null, strategy, variant }, {
      compute: () => this.modelForUser(userId, strategy, excludeRead, diversify),
      fallback: async () => {
        const personal = excludeRead ? await booksForUser(this.prisma, userId, LIST_LENGTH) : [];
        if (personal.length > 0) return this.modelFree(personal, "CO_OCCURRENCE", "co-occurrence", ["Readers with books in common with you read this"]);
        return this.popularityList(excludeRead ? userId : null);
      },
    });
  }

  /** A reader and a seed book: the seed's similar books re-ranked by the reader's predicted taste. */
  async forUserAndBook(userId: number, bookId: number, strategy: Strategy, diversify: boolean, context: ServeContext): Promise<ServedList> {
    const [similar, history] = await Promise.all([
      this.similar(bookId, strategy, diversify, { requestId: context.requestId, log: false }),
      readHistory(this.prisma, userId),
    ]);
    const read = new Set(history.map((entry) => entry.bookId));
    const candidates = similar.items.filter((item) => !read.has(item.bookId) && item.bookId !== bookId);
    const taste = await this.scores(userId, candidates.map((item) => item.bookId));
    const items = candidates
      .map((item) => ({ ...item, score: clamp01(0.5 * item.score + 0.5 * (taste.get(item.bookId) ?? 0)) }))
      .sort((a, b) => b.score - a.score);
    const list: ServedList = { ...similar, items, algorithm: `${similar.algorithm}+personal` };
    this.record(list, context, { userId, seedBookId: bookId, strategy, variant: await this.variantOf(userId) });
    return list;
  }

  /** Predicted preference of `userId` for each book, 0 to 1; popularity where the model cannot say. */
  async scores(userId: number, bookIds: readonly number[]): Promise<Map<number, number>> {
    try {
      const scored = await this.withinBudget(this.modelScores(userId, bookIds));
      if (scored) return scored;
      this.countFallback("scores:model-missing");
    } catch (error) {
      this.countFallback(error instanceof TimeBudgetExceeded ? "scores:time-budget" : "scores:model-error");
      if (!(error instanceof TimeBudgetExceeded)) this.logger.warn({ err: error }, "scoring failed; using popularity");
    }
    return this.popularity(bookIds);
  }

  async trending(window: TrendingWindow, limit: number): Promise<TrendingEntry[]> {
    const load = () => trendingBooks(this.prisma, window, TRENDING_LIST_LENGTH);
    const list = this.options.caching ? await this.cache.getOrSet(this.trendingKey(window), load, TRENDING_TTL_SECONDS) : await load();
    return list.slice(0, limit);
  }

  /**
   * The trending watcher saw a new ranking: the next query recomputes rather than
   * serving the old list until it expires (dropped, not overwritten, because the
   * watcher's list may already trail interactions made since).
   */
  async trendingChanged(window: TrendingWindow): Promise<void> {
    await this.cache.delete(this.trendingKey(window));
  }

  private trendingKey(window: TrendingWindow): string {
    return `rec:trending:${window}`;
  }

  /** A reader's signal: fold their vector in against the current item factors and drop their cached lists. */
  async handleInteraction(userId: number): Promise<void> {
    const als = this.models.lease("als");
    try {
      if (als?.state.als) {
        const history = await readHistory(this.prisma, userId);
        const indexed = this.indexHistory(als, history);
        if (indexed.length > 0) {
          this.foldInsOf(als).set(userId, foldInUser(als.state.als, indexed));
          this.metrics.foldIns += 1;
        }
      }
    } finally {
      als?.release();
    }
    await this.invalidateUser(userId);
  }

  /** A reader deleted their account: their vectors (folded-in and trained) and recent lists leave serving memory. */
  forgetReader(userId: number): void {
    const als = this.models.lease("als");
    try {
      if (als) {
        this.foldInsOf(als).delete(userId);
        forgetTrainedVector(als, userId);
      }
    } finally {
      als?.release();
    }
    this.servingMetrics.forget(userId);
  }

  async invalidateUser(userId: number): Promise<void> {
    const variant = await this.variantOf(userId);
    const keys: string[] = [];
    for (const strategy of STRATEGIES)
      for (const excludeRead of [true, false])
        for (const diversify of [true, false]) {
          const suffix = this.userSuffix(userId, strategy, excludeRead, diversify);
          keys.push(this.key(suffix, variant), this.staleKey(suffix, variant));
        }
    await this.cache.delete(...keys);
    this.metrics.invalidations += 1;
  }

  snapshot() {
    const lookups = this.metrics.cacheHits + this.metrics.cacheMisses;
    return {
      models: this.models.versions(),
      modelLoadFailures: this.models.loadFailures,
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

  // ---- the serving path ------------------------------------------------------

  private key(suffix: string, variant: string): string {
    return `rec:${this.models.versionTag()}:${variant}:${suffix}`;
  }

  private staleKey(suffix: string, variant: string): string {
    return `rec:last:${variant}:${suffix}`;
  }

  /**
   * The reader's arms in running experiments ("experiment=variant,..."): part of
   * every cache key and log row, so variants never share cached lists and the A/B
   * analysis can split the logs.
   */
  private async variantOf(userId: number): Promise<string> {
    const load = async () => {
      const rows = await this.prisma.$queryRaw<{ experiment: string; variant: string }[]>`
        SELECT e.key AS experiment, v.key AS variant
        FROM experiment_assignments a
        JOIN experiments e ON e.id = a.experiment_id
        JOIN experiment_variants v ON v.id = a.variant_id
        WHERE a.user_id = ${userId} AND e.status = 'RUNNING'
        ORDER BY e.key`;
      return rows.length === 0 ? DEFAULT_VARIANT : rows.map((row) => `${row.experiment}=${row.variant}`).join(",");
    };
    return this.cache.getOrSet(`rec:variant:${userId}`, load, VARIANT_TTL_SECONDS);
  }

  private userSuffix(userId: number, strategy: Strategy, excludeRead: boolean, diversify: boolean): string {
    return `user:${userId}:${strategy}:${excludeRead ? 1 : 0}:${diversify ? 1 : 0}`;
  }

  private async serve(
    suffix: string,
    context: ServeContext,
    log: LogFields,
    paths: { compute: () => Promise<ServedList | null>; fallback: () => Promise<ServedList> },
  ): Promise<ServedList> {
    const key = this.key(suffix, log.variant);
    if (this.options.caching) {
      const cached = await this.cache.get<ServedList>(key);
      if (cached) {
        this.metrics.cacheHits += 1;
        return this.record({ ...cached, source: "CACHE" }, context, log);
      }
      this.metrics.cacheMisses += 1;
    }
    try {
      const computed = await this.withinBudget(paths.compute());
      if (computed) {
        if (this.options.caching && computed.source !== "COLD_START") {
          await Promise.all([this.cache.set(key, computed), this.cache.set(this.staleKey(suffix, log.variant), computed, STALE_TTL_SECONDS)]);
        }
        return this.record(computed, context, log);
      }
      this.countFallback("model-missing");
    } catch (error) {
      this.countFallback(error instanceof TimeBudgetExceeded ? "time-budget" : "model-error");
      if (!(error instanceof TimeBudgetExceeded)) this.logger.warn({ err: error, list: suffix }, "model failed; falling back");
    }
    if (this.options.caching) {
      const stale = await this.cache.get<ServedList>(this.staleKey(suffix, log.variant));
      if (stale) return this.record({ ...stale, source: "STALE_CACHE" }, context, log);
    }
    return this.record(await paths.fallback(), context, log);
  }

  private record(list: ServedList, context: ServeContext, log: LogFields): ServedList {
    this.metrics.served[list.source] = (this.metrics.served[list.source] ?? 0) + 1;
    this.servingMetrics.listServed(list, log.variant, log.userId ?? context.viewerId ?? null, context.log);
    if (context.log) {
      this.logWriter.append({
        requestId: context.requestId,
        userId: log.userId ?? context.viewerId ?? null,
        seedBookId: log.seedBookId,
        strategy: log.strategy,
        source: list.source,
        modelName: list.modelName,
        modelVersion: list.modelVersion,
        variantKey: log.variant,
        bookIds: list.items.map((item) => item.bookId),
        scores: list.items.map((item) => item.score),
      });
    }
    return list;
  }

  private countFallback(reason: string): void {
    this.metrics.fallbacks[reason] = (this.metrics.fallbacks[reason] ?? 0) + 1;
    this.servingMetrics.fallback(reason);
  }

  private async withinBudget<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new TimeBudgetExceeded(this.timeBudgetMs)), this.timeBudgetMs);
    });
    // The abandoned work still finishes (and returns its leases); its result is just not used.
    work.catch(() => {});
    try {
      return await Promise.race([work, budget]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- model paths -------------------------------------------------------------

  private lease(names: ModelName[]): Map<ModelName, LoadedModel> {
    const leased = new Map<ModelName, LoadedModel>();
    for (const name of names) {
      const model = this.models.lease(name);
      if (model) leased.set(name, model);
    }
    return leased;
  }

  private releaseAll(leased: Map<ModelName, LoadedModel>): void {
    for (const model of leased.values()) model.release();
  }

  /** Component weights from the hybrid recipe, renormalised over the components present. */
  private weights(leased: Map<ModelName, LoadedModel>, present: ModelName[]): Map<ModelName, number> {
    const recipe = leased.get("hybrid")?.state.recipe;
    const raw = present.map((name) => Math.max(recipe?.components.find((c) => c.model === name)?.weight ?? 1, 0));
    const total = raw.reduce((sum, w) => sum + w, 0);
    return new Map(present.map((name, i) => [name, total > 0 ? raw[i]! / total : 1 / present.length]));
  }

  private describe(leased: Map<ModelName, LoadedModel>, components: Component[]): Pick<ServedList, "algorithm" | "modelName" | "modelVersion"> {
    if (components.length === 1) return { algorithm: components[0]!.model.name, modelName: components[0]!.model.name, modelVersion: components[0]!.model.version };
    const hybrid = leased.get("hybrid");
    return {
      algorithm: `hybrid(${components.map((c) => c.model.name).join("+")})`,
      modelName: "hybrid",
      modelVersion: hybrid?.version ?? Math.max(...components.map((c) => c.model.version)),
    };
  }

  private toIds(model: LoadedModel, list: IndexedList, transform: (score: number) => number = clamp01): Map<number, number> {
    const scores = new Map<number, number>();
    list.items.forEach((index, n) => {
      const id = model.ids.items[index];
      if (id !== undefined) scores.set(id, transform(list.scores[n]!));
    });
    return scores;
  }

  private async modelSimilar(bookId: number, strategy: Strategy, diversify: boolean): Promise<ServedList | null> {
    const leased = this.lease(["item-cf", "content", "hybrid"]);
    try {
      const cf = strategy === "CONTENT" ? undefined : leased.get("item-cf");
      const content = strategy === "CF" ? undefined : leased.get("content");
      const [cfList, contentList] = await Promise.all([
        cf?.itemIndex.has(bookId) ? this.batcher.run(cf, cfNeighbours, [cf.itemIndex.get(bookId)!]).then(([list]) => this.toIds(cf, list!)) : undefined,
        content?.itemIndex.has(bookId)
          ? this.batcher.run(content, contentNeighbours, [{ item: content.itemIndex.get(bookId)!, k: LIST_LENGTH * 2 }]).then(([list]) => this.toIds(content, list!))
          : undefined,
      ]);
      const components: Component[] = [];
      // A book without co-readers yet (new, or never read together) gets content neighbours only.
      if (cf && cfList && cfList.size > 0) components.push({ model: cf, weight: 0, scores: cfList });
      if (content && contentList && contentList.size > 0) components.push({ model: content, weight: 0, scores: contentList });
      if (components.length === 0) return null;
      const blended = this.blend(leased, components, new Set([bookId]));
      const facts = await bookFacts(this.prisma, [bookId, ...blended.slice(0, LIST_LENGTH * 2).map((c) => c.bookId)]);
      const seed = facts.get(bookId);
      const items = blended.map((candidate) => ({
        bookId: candidate.bookId,
        score: candidate.score,
        reasons: similarReasons(seed, facts.get(candidate.bookId), cfList?.has(candidate.bookId) ?? false, contentList?.has(candidate.bookId) ?? false),
      }));
      return this.finish(leased, components, items, diversify, leased.get("content"));
    } finally {
      this.releaseAll(leased);
    }
  }

  private async modelForUser(userId: number, strategy: Strategy, excludeRead: boolean, diversify: boolean): Promise<ServedList | null> {
    const history = await readHistory(this.prisma, userId);
    if (history.length === 0) return this.coldStart(userId);
    const leased = this.lease(["als", "item-cf", "content", "hybrid"]);
    try {
      const als = strategy === "CONTENT" ? undefined : leased.get("als");
      const cf = strategy === "HYBRID" || (strategy === "CF" && !als) ? leased.get("item-cf") : undefined;
      const content = strategy === "CF" ? undefined : leased.get("content");
      const exclude = excludeRead ? new Set(history.map((entry) => entry.bookId)) : new Set<number>();
      const want = LIST_LENGTH * 2 + exclude.size;
      const [alsScores, cfScores, contentScores] = await Promise.all([
        als ? this.userVector(als, userId, history).then(async (vector) => (vector ? this.toIds(als, (await this.batcher.run(als, alsUserTopK, [{ vector, k: want }]))[0]!) : undefined)) : undefined,
        cf ? this.historyList(cf, MODEL_FILES["item-cf"].historyTopK, history, want, (sum) => 1 - Math.exp(-sum)) : undefined,
        content ? this.historyList(content, MODEL_FILES.content.historyTopK, history, want) : undefined,
      ]);
      const components: Component[] = [];
      if (als && alsScores && alsScores.size > 0) components.push({ model: als, weight: 0, scores: alsScores });
      if (cf && cfScores && cfScores.size > 0) components.push({ model: cf, weight: 0, scores: cfScores });
      if (content && contentScores && contentScores.size > 0) components.push({ model: content, weight: 0, scores: contentScores });
      if (components.length === 0) return null;
      const blended = this.blend(leased, components, exclude).slice(0, LIST_LENGTH * 2);
      const anchors = history.slice(0, 50);
      const facts = await bookFacts(this.prisma, [...anchors.map((entry) => entry.bookId), ...blended.map((c) => c.bookId)]);
      const contentState = leased.get("content");
      const indexedAnchors = anchors.map((entry) => ({ ...entry, index: contentState?.itemIndex.get(entry.bookId) }));
      const items = blended.map((candidate) => ({
        bookId: candidate.bookId,
        score: candidate.score,
        reasons: personalReasons(contentState?.itemIndex.get(candidate.bookId), facts.get(candidate.bookId), indexedAnchors, facts, contentState?.state.content),
      }));
      return this.finish(leased, components, items, diversify, contentState);
    } finally {
      this.releaseAll(leased);
    }
  }

  private async historyList(model: LoadedModel, file: string, history: readonly HistoryEntry[], k: number, transform?: (score: number) => number) {
    const indices = Int32Array.from(history.map((entry) => model.itemIndex.get(entry.bookId)).filter((index): index is number => index !== undefined));
    if (indices.length === 0) return undefined;
    const [list] = await this.batcher.run(model, historyTopK(file), [{ history: indices, k }]);
    return this.toIds(model, list!, transform);
  }

  /** Weighted sum of the components' confidences; each candidate sorted by the blend, `exclude` left out. */
  private blend(leased: Map<ModelName, LoadedModel>, components: Component[], exclude: ReadonlySet<number>): { bookId: number; score: number }[] {
    const weights = this.weights(leased, components.map((c) => c.model.name));
    const totals = new Map<number, number>();
    for (const component of components) {
      const weight = weights.get(component.model.name)!;
      for (const [bookId, score] of component.scores) if (!exclude.has(bookId)) totals.set(bookId, (totals.get(bookId) ?? 0) + weight * score);
    }
    return [...totals].map(([bookId, score]) => ({ bookId, score: clamp01(score) })).sort((a, b) => b.score - a.score || a.bookId - b.bookId);
  }

  /** Low-confidence lists are blended with popularity; optional diversity re-ranking; cut to length. */
  private async finish(
    leased: Map<ModelName, LoadedModel>,
    components: Component[],
    candidates: ServedItem[],
    diversify: boolean,
    content: LoadedModel | undefined,
  ): Promise<ServedList> {
    const description = this.describe(leased, components);
    const head = candidates.slice(0, 10);
    const confidence = head.reduce((sum, item) => sum + item.score, 0) / Math.max(head.length, 1);
    let items = candidates;
    let source: Source = "MODEL";
    let algorithm = description.algorithm;
    if (confidence < LOW_CONFIDENCE) {
      const popularity = await this.popularity(candidates.map((item) => item.bookId));
      items = candidates
        .map((item) => ({ ...item, score: clamp01(0.5 * item.score + 0.5 * (popularity.get(item.bookId) ?? 0)) }))
        .sort((a, b) => b.score - a.score);
      source = "MODEL_BLENDED";
      algorithm = `${algorithm}+popularity`;
    }
    if (diversify && content?.state.content) {
      items = maximalMarginalRelevance(items, (item) => content.itemIndex.get(item.bookId), content.state.content, LIST_LENGTH);
    }
    return { ...description, algorithm, source, items: items.slice(0, LIST_LENGTH) };
  }

  private async coldStart(userId: number): Promise<ServedList> {
    const [preferred, popular] = await Promise.all([booksForStatedPreferences(this.prisma, userId, LIST_LENGTH), popularBooksForUser(this.prisma, userId, LIST_LENGTH)]);
    const scores = new Map<number, { score: number; reasons: string[] }>();
    for (const book of popular) scores.set(book.bookId, { score: 0.4 * book.score, reasons: ["Popular with readers"] });
    for (const book of preferred) {
      const existing = scores.get(book.bookId);
      scores.set(book.bookId, { score: 0.6 * book.score + (existing?.score ?? 0), reasons: [`Matches your interest in ${book.genre}`, ...(existing?.reasons ?? [])] });
    }
    const items = [...scores]
      .map(([bookId, entry]) => ({ bookId, score: clamp01(entry.score), reasons: entry.reasons }))
      .sort((a, b) => b.score - a.score || a.bookId - b.bookId)
      .slice(0, LIST_LENGTH);
    return { items, source: "COLD_START", algorithm: "stated-preferences+popularity", modelName: null, modelVersion: null };
  }

  private async modelScores(userId: number, bookIds: readonly number[]): Promise<Map<number, number> | null> {
    const als = this.models.lease("als");
    if (!als) return null;
    try {
      const vector = await this.userVector(als, userId);
      // A reader with no history has no taste to predict yet: popularity is the answer, not a fallback.
      if (!vector) return this.popularity(bookIds);
      const known = bookIds.filter((id) => als.itemIndex.has(id));
      const raw = await this.batcher.run(als, alsPairScores, known.map((id) => ({ vector, item: als.itemIndex.get(id)! })));
      const scores = new Map(known.map((id, n) => [id, clamp01(raw[n]!)]));
      const unknown = bookIds.filter((id) => !scores.has(id));
      if (unknown.length > 0) for (const [id, score] of await this.popularity(unknown)) scores.set(id, score);
      return scores;
    } finally {
      als.release();
    }
  }

  private foldInsOf(als: LoadedModel): Map<number, Float32Array> {
    let map = this.foldIns.get(als);
    if (!map) {
      map = new Map();
      this.foldIns.set(als, map);
    }
    return map;
  }

  private indexHistory(als: LoadedModel, history: readonly HistoryEntry[]): { item: number; strength: number }[] {
    return history.flatMap((entry) => {
      const item = als.itemIndex.get(entry.bookId);
      return item === undefined ? [] : [{ item, strength: entry.strength }];
    });
  }

  /** Folded-in vector if the reader acted since training, else the trained row, else fold in now (a reader new since training). */
  private async userVector(als: LoadedModel, userId: number, history?: readonly HistoryEntry[]): Promise<Float32Array | null> {
    const state = als.state.als!;
    const folded = this.foldInsOf(als).get(userId);
    if (folded) return folded;
    const row = als.userIndex.get(userId);
    if (row !== undefined) return state.userFactors.subarray(row * state.factors, (row + 1) * state.factors);
    const indexed = this.indexHistory(als, history ?? (await readHistory(this.prisma, userId)));
    if (indexed.length === 0) return null;
    const vector = foldInUser(state, indexed);
    this.foldInsOf(als).set(userId, vector);
    return vector;
  }

  // ---- model-free paths -----------------------------------------------------------

  /** Popularity of books, 0 to 1: the popularity model when loaded, else ratings counts. */
  private async popularity(bookIds: readonly number[]): Promise<Map<number, number>> {
    const model = this.models.lease("popularity");
    try {
      const scores = model?.state.popularity;
      if (model && scores) {
        return new Map(bookIds.map((id) => [id, clamp01(scores[model.itemIndex.get(id) ?? -1] ?? 0)]));
      }
    } finally {
      model?.release();
    }
    const rows = await this.prisma.book.findMany({ where: { id: { in: [...bookIds] } }, select: { id: true, ratingsCount: true } });
    const top = await this.prisma.book.aggregate({ _max: { ratingsCount: true } });
    const max = Math.max(top._max.ratingsCount ?? 1, 1);
    return new Map(rows.map((row) => [row.id, clamp01(row.ratingsCount / max)]));
  }

  private async popularityList(userId: number | null): Promise<ServedList> {
    const popular = await popularBooksForUser(this.prisma, userId, LIST_LENGTH);
    return this.modelFree(popular, "POPULARITY", "popularity", ["Popular with readers"]);
  }

  private modelFree(books: readonly ScoredBook[], source: Source, algorithm: string, reasons: string[]): ServedList {
    return { items: books.map((book) => ({ bookId: book.bookId, score: clamp01(book.score), reasons })), source, algorithm, modelName: null, modelVersion: null };
  }

  private async titleOf(bookId: number): Promise<string | undefined> {
    return (await bookFacts(this.prisma, [bookId])).get(bookId)?.title;
  }
}
