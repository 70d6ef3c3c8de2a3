import type { ListCache } from "./list-cache.ts";
import type { ListTelemetry } from "./list-telemetry.ts";
import type { ModelStore } from "./model-store.ts";
import type { ReaderHistories } from "./reader-histories.ts";
import type { RecommendationLogWriter } from "./recommendation-log.ts";
import type { UserVectors } from "./user-vectors.ts";

/**
 * What a reader's own actions do to serving: a new signal (rating, view, shelf...)
 * drops their held history, moves their vector (folded in here, or adopted from the
 * stream's embeddings consumer) and retires their cached lists; an erased reader
 * leaves serving memory altogether.
 */
export class ReaderSignals {
  constructor(
    private readonly models: ModelStore,
    private readonly vectors: UserVectors,
    private readonly histories: ReaderHistories,
    private readonly lists: ListCache,
    private readonly telemetry: ListTelemetry,
    private readonly logWriter: RecommendationLogWriter,
  ) {}

  /**
   * The embeddings consumer's new vector for a reader (USER_VECTOR_CHANGED): served
   * from now on when it was computed against the model version loaded here, else
   * folded in here; either way the reader's cached lists are retired.
   */
  async applyUserVector(userId: number, vector: Float32Array | null, model: { name: string; version: number } | null): Promise<void> {
    const target = model ? this.models.lease(model.name) : null;
    try {
      if (target && vector && target.version === model!.version && this.vectors.adopt(target, userId, vector)) {
        await this.invalidate(userId);
        return;
      }
    } finally {
      target?.release();
    }
    await this.handleInteraction(userId);
  }

  /** A reader's signal: fold their vector in against the current item factors and retire their cached lists. */
  async handleInteraction(userId: number): Promise<void> {
    this.histories.forget(userId);
    const leased = this.models.leaseAll();
    try {
      for (const model of leased) if (model.state.factors) await this.vectors.foldIn(model, userId);
    } finally {
      for (const model of leased) model.release();
    }
    await this.invalidate(userId);
  }

  /** A reader deleted their account: their vectors (folded-in and trained), history and recent lists leave serving memory. */
  erase(userId: number): void {
    const als = this.models.lease("als");
    try {
      if (als) this.vectors.forget(als, userId);
    } finally {
      als?.release();
    }
    this.histories.forget(userId);
    this.telemetry.forget(userId);
    this.logWriter.forget(userId);
  }

  /** The reader's held history and cached lists are retired; the next request computes afresh. */
  invalidate(userId: number): Promise<void> {
    this.histories.forget(userId);
    return this.lists.invalidateReader(userId);
  }
}
