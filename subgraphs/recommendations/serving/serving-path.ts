import type { Logger } from "../../../lib/logger.ts";
import type { FallbackLog } from "./fallback-log.ts";
import { describeList, type ListCache, type ListRef } from "./list-cache.ts";
import type { ListTelemetry } from "./list-telemetry.ts";
import type { ModelStore } from "./model-store.ts";
import type { RecommendationLogWriter } from "./recommendation-log.ts";
import type { ServedList, Strategy } from "./served-list.ts";
import type { ServingMetrics } from "./serving-metrics.ts";
import { TimeBudgetExceeded, withinBudget } from "./time-budget.ts";

/** Who a list was served to and how, as the recommendation log records it. */
export interface LogFields {
  readonly userId: number | null;
  readonly seedBookId: number | null;
  readonly strategy: Strategy;
  readonly variant: string;
}

export interface ServeContext {
  readonly requestId: string | null;
  /** Who asked: logged with lists that are not personal (similar books), for the A/B analysis. */
  readonly viewerId?: number | null;
  readonly log: boolean;
}

/** How one list is made: by the models (null when none can answer), or without them. */
export interface ListPaths {
  compute(): Promise<ServedList | null>;
  fallback(): Promise<ServedList>;
}

export interface ServingPathParts {
  readonly lists: ListCache;
  readonly models: ModelStore;
  readonly metrics: ServingMetrics;
  readonly telemetry: ListTelemetry;
  readonly logWriter: RecommendationLogWriter;
  readonly fallbackLog: FallbackLog;
  readonly logger: Logger;
  /** Read per request: the budget and caching can change while serving (the bench switches them). */
  readonly timeBudgetMs: () => number;
  readonly caching: () => boolean;
}

/**
 * The order every list is served in: the cache, then the models within the time
 * budget, then the last model answer (stale), then a model-free list; each served
 * list is counted and logged. A broken or slow model never fails a request.
 */
export class ServingPath {
  constructor(private readonly parts: ServingPathParts) {}

  async serve(ref: ListRef, context: ServeContext, log: LogFields, paths: ListPaths): Promise<ServedList> {
    const { lists, metrics } = this.parts;
    const keys = this.parts.caching() ? await lists.keysOf(ref, log.variant) : undefined;
    if (keys) {
      const cached = await lists.fresh(keys);
      if (cached) return this.record({ ...cached, source: "CACHE" }, context, log);
    }
    let noModelAnswers = false;
    try {
      const computed = await withinBudget(paths.compute(), this.parts.timeBudgetMs());
      if (computed) {
        if (keys && computed.source !== "COLD_START") await lists.store(keys, computed);
        return this.record(computed, context, log);
      }
      noModelAnswers = true;
      metrics.countFallback("model-missing");
      this.parts.fallbackLog.note("model-missing", () => ({ list: describeList(ref), missing: this.parts.models.missing() }));
    } catch (error) {
      metrics.countFallback(error instanceof TimeBudgetExceeded ? "time-budget" : "model-error");
      if (!(error instanceof TimeBudgetExceeded)) this.parts.logger.warn({ err: error, list: describeList(ref) }, "model failed; falling back");
    }
    if (keys) {
      const stale = await lists.stale(keys);
      if (stale) return this.record({ ...stale, source: "STALE_CACHE" }, context, log);
    }
    // Only where no model can answer: after a failure the next request tries the model again.
    if (!keys || !noModelAnswers) return this.record(await paths.fallback(), context, log);
    const kept = await lists.modelFree(keys);
    if (kept) return this.record(kept, context, log);
    const fallback = await paths.fallback();
    await lists.storeModelFree(keys, fallback);
    return this.record(fallback, context, log);
  }

  /** Counts a served list and appends it to the recommendation log when the request asks for logging. */
  record(list: ServedList, context: ServeContext, log: LogFields): ServedList {
    const userId = log.userId ?? context.viewerId ?? null;
    this.parts.metrics.countServed(list.source);
    this.parts.telemetry.listServed(list, log.variant, userId, context.log);
    if (context.log) {
      this.parts.logWriter.append({
        requestId: context.requestId,
        userId,
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
}
