import type { Csr } from "../data/csr.ts";

export const MODEL_NAMES = ["popularity", "item-cf", "als", "content", "hybrid"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}

/** What every trained model offers the evaluator, the hybrid and the exporters. */
export interface Recommender {
  readonly name: ModelName;
  readonly itemCount: number;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /**
   * Writes one score per catalogue item into `out` (higher is better) for `user`,
   * whose known history is row `user` of `history` (the training interactions).
   */
  scoreUser(user: number, history: Csr, out: Float32Array): void;
}
