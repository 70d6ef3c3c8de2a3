import type { Csr } from "../data/csr.ts";

/** A model's name is its algorithm's (algorithms/registry.ts), or "hybrid". */
export type ModelName = string;

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
  /**
   * Optional: the same for several users at once (`out[n]` for `users[n]`), for models
   * that can share work across them (a dense factor model reads each item row once per
   * block instead of once per user). The evaluator uses it when present.
   */
  scoreUsers?(users: ArrayLike<number>, history: Csr, out: readonly Float32Array[]): void;
  /** Optional: the same off the JavaScript thread (onnxruntime); the evaluation threads prefer it. */
  scoreUsersAsync?(users: ArrayLike<number>, history: Csr, out: readonly Float32Array[]): Promise<void>;
}
