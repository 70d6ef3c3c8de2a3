import type { Csr } from "../data/csr.ts";
import type { Interactions } from "../data/dataset.ts";
import type { Recommender } from "./recommender.ts";

export interface PopularityParams {
  /**
   * Half-life of an interaction's weight as a fraction of the training period
   * (Infinity = plain counts). A fraction, not days, so it also means something
   * for files whose "time" is the row order.
   */
  readonly halfLifeFraction: number;
}

export const DEFAULT_POPULARITY: PopularityParams = { halfLifeFraction: 0.25 };

/** Everyone gets the same list: the items most interacted with, recent interactions counting more. */
export class PopularityModel implements Recommender {
  readonly name = "popularity" as const;

  constructor(
    readonly scores: Float32Array,
    readonly params: PopularityParams,
  ) {}

  get itemCount(): number {
    return this.scores.length;
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { halfLifeFraction: Number.isFinite(this.params.halfLifeFraction) ? this.params.halfLifeFraction : "Infinity" };
  }

  scoreUser(_user: number, _history: Csr, out: Float32Array): void {
    out.set(this.scores);
  }
}

export function trainPopularity(train: Interactions, itemCount: number, params: PopularityParams = DEFAULT_POPULARITY): PopularityModel {
  const { items, times } = train;
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let r = 0; r < times.length; r++) {
    const t = times[r]!;
    if (t < minTime) minTime = t;
    if (t > maxTime) maxTime = t;
  }
  const span = Math.max(maxTime - minTime, 1);
  const decay = Number.isFinite(params.halfLifeFraction) ? Math.LN2 / (params.halfLifeFraction * span) : 0;
  const scores = new Float64Array(itemCount);
  for (let r = 0; r < items.length; r++) scores[items[r]!]! += Math.exp(-decay * (maxTime - times[r]!));
  // Normalised to the top item so scores stay in float32 range and comparable across runs.
  let top = 0;
  for (let i = 0; i < itemCount; i++) if (scores[i]! > top) top = scores[i]!;
  return new PopularityModel(Float32Array.from(scores, (s) => (top > 0 ? s / top : 0)), params);
}
