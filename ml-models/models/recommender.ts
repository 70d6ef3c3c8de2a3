import type { ModelName } from "../../lib/models/model-names.ts";
import type { Csr } from "../data/csr.ts";

export { isModelName, MODEL_NAMES, type ModelName } from "../../lib/models/model-names.ts";

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
