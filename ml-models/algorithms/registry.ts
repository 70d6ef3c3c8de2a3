import type { AnyAlgorithm } from "./algorithm.ts";
import { als } from "./als.ts";
import { content } from "./content.ts";
import { ease } from "./ease.ts";
import { itemCf } from "./item-cf.ts";
import { popularity } from "./popularity.ts";
import { rp3beta } from "./rp3beta.ts";

/**
 * Every algorithm the pipeline trains, in registration order (the hybrid, which
 * blends them, comes after). Adding one: a module in this folder and a line here.
 */
export const ALGORITHMS: readonly AnyAlgorithm[] = [popularity, itemCf, rp3beta, ease, als, content];

export function algorithmNamed(name: string, algorithms: readonly AnyAlgorithm[] = ALGORITHMS): AnyAlgorithm | undefined {
  return algorithms.find((algorithm) => algorithm.name === name);
}
