import { foldInUser, indexHistory } from "../../../lib/models/fold-in.ts";
import { forgetTrainedVector } from "./forget-reader.ts";
import type { LoadedModel } from "./loaded-model.ts";
import type { ServingMetrics } from "./serving-metrics.ts";
import type { ReaderHistory } from "../../../lib/models/user-history.ts";
import type { ReaderHistories } from "./reader-histories.ts";

/**
 * Readers' ALS vectors: the trained row, or one folded in against the current item
 * factors for a reader who acted since training (or is new since). Folded vectors
 * belong to the model version they were solved against and go with it.
 */
export class UserVectors {
  private readonly folded = new WeakMap<LoadedModel, Map<number, Float32Array>>();

  constructor(
    private readonly histories: ReaderHistories,
    private readonly metrics: ServingMetrics,
  ) {}

  /** Folded-in vector if the reader acted since training, else the trained row, else fold in now (a reader new since training). */
  async vectorOf(als: LoadedModel, userId: number, history?: ReaderHistory): Promise<Float32Array | null> {
    const state = als.state.factors!;
    const folded = this.foldedOf(als).get(userId);
    if (folded) return folded;
    const row = als.userIndex.get(userId);
    if (row !== undefined) return state.userFactors.subarray(row * state.factors, (row + 1) * state.factors);
    const indexed = this.indexHistory(als, history ?? (await this.histories.of(userId)));
    if (indexed.length === 0) return null;
    const vector = foldInUser(state, indexed);
    this.foldedOf(als).set(userId, vector);
    return vector;
  }

  /** The reader's signal: re-solve their vector from their whole history now. */
  async foldIn(als: LoadedModel, userId: number): Promise<void> {
    if (!als.state.factors) return;
    const indexed = this.indexHistory(als, await this.histories.of(userId));
    if (indexed.length === 0) return;
    this.foldedOf(als).set(userId, foldInUser(als.state.factors, indexed));
    this.metrics.foldIns += 1;
  }

  /** An erased reader: their folded-in vector and their trained row leave serving. */
  forget(als: LoadedModel, userId: number): void {
    this.foldedOf(als).delete(userId);
    forgetTrainedVector(als, userId);
  }

  /** A vector solved elsewhere (the stream's embeddings consumer) against this same model version; false if it does not fit. */
  adopt(als: LoadedModel, userId: number, vector: Float32Array): boolean {
    if (!als.state.factors || vector.length !== als.state.factors.factors) return false;
    this.foldedOf(als).set(userId, vector);
    this.metrics.foldIns += 1;
    return true;
  }

  private foldedOf(als: LoadedModel): Map<number, Float32Array> {
    let map = this.folded.get(als);
    if (!map) {
      map = new Map();
      this.folded.set(als, map);
    }
    return map;
  }

  private indexHistory(model: LoadedModel, history: ReaderHistory): { item: number; strength: number }[] {
    return indexHistory(model.state.factors ?? {}, model.itemIndex, history);
  }
}
