/**
 * The models the pipeline trains (ml-models/algorithms/registry.ts, plus the
 * hybrid); the registry's `name` column holds one of these.
 */
export const MODEL_NAMES = ["popularity", "item-cf", "rp3beta", "ease", "als", "content", "hybrid"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The blend of the other models, served from its recipe. */
export const HYBRID = "hybrid";

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}
