/**
 * A model's name is its algorithm's (ml-models/algorithms/registry.ts), stored in the
 * registry's `name` column. Serving learns what each model can do from its version's
 * manifest (lib/models/serving-description.ts), so no list of names lives here: a
 * name is a short lowercase slug.
 */
export type ModelName = string;

/** The blend of the other models, served from its recipe. */
export const HYBRID = "hybrid";

export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const NAME = MODEL_NAME_PATTERN;

export function isModelName(value: string): value is ModelName {
  return NAME.test(value);
}
