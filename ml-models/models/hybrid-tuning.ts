import type { Csr } from "../data/csr.ts";
import { ndcgAt } from "../evaluate/metrics.ts";
import { topK } from "../linalg/top-k.ts";
import { addStandardised } from "./hybrid.ts";
import type { Recommender } from "./recommender.ts";

/** Every weight vector on the simplex with the given step (0.25 -> 35 vectors for 4 models). */
export function simplexGrid(dimensions: number, step: number): number[][] {
  const units = Math.round(1 / step);
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === dimensions - 1) {
      out.push([...prefix, left].map((u) => u / units));
      return;
    }
    for (let u = 0; u <= left; u++) walk([...prefix, u], left - u);
  };
  walk([], units);
  return out;
}

/**
 * Picks blend weights by NDCG@10 on the validation slice: components' standardised
 * scores are computed once per user, then every grid point is ranked from them.
 */
export function tuneHybridWeights(
  components: readonly Recommender[],
  history: Csr,
  validation: Csr,
  users: Int32Array,
  step = 0.25,
): { weights: number[]; ndcgAt10: number } {
  const itemCount = history.cols;
  const grid = simplexGrid(components.length, step);
  const totals = new Float64Array(grid.length);
  const standardised = components.map(() => new Float32Array(itemCount));
  const raw = new Float32Array(itemCount);
  const blended = new Float32Array(itemCount);
  const relevant = new Uint8Array(itemCount);
  let counted = 0;
  for (const user of users) {
    const from = validation.indptr[user]!;
    const to = validation.indptr[user + 1]!;
    if (to === from) continue;
    components.forEach((model, c) => {
      model.scoreUser(user, history, raw);
      standardised[c]!.fill(0);
      addStandardised(raw, 1, standardised[c]!);
    });
    for (let e = from; e < to; e++) relevant[validation.indices[e]!] = 1;
    const isRelevant = (item: number) => relevant[item] === 1;
    for (let g = 0; g < grid.length; g++) {
      const weights = grid[g]!;
      blended.fill(0);
      for (let c = 0; c < components.length; c++) {
        const w = weights[c]!;
        if (w === 0) continue;
        const s = standardised[c]!;
        for (let i = 0; i < itemCount; i++) blended[i]! += w * s[i]!;
      }
      for (let e = history.indptr[user]!; e < history.indptr[user + 1]!; e++) blended[history.indices[e]!] = -Infinity;
      totals[g]! += ndcgAt(topK(blended, 10), 10, isRelevant, to - from);
    }
    for (let e = from; e < to; e++) relevant[validation.indices[e]!] = 0;
    counted++;
  }
  let best = 0;
  for (let g = 1; g < grid.length; g++) if (totals[g]! > totals[best]!) best = g;
  return { weights: grid[best]!, ndcgAt10: counted === 0 ? 0 : totals[best]! / counted };
}
