/** The models the pipeline trains and serving loads; the registry's `name` column holds one of these. */
export const MODEL_NAMES = ["popularity", "item-cf", "als", "content", "hybrid"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}
