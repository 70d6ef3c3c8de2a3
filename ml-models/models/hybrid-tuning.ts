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
 * Picks blend weights by NDCG@10 on the validation slice: every grid point of the
 * simplex at `step`, then a greedy refinement that moves `refineStep` of weight
 * between two components while that helps. Components' standardised scores are
 * computed once per user and kept (users x components x items floats), so every
 * candidate blend only costs a weighted sum and a top-10.
 */
export function tuneHybridWeights(
  components: readonly Recommender[],
  history: Csr,
  validation: Csr,
  users: Int32Array,
  step = 0.25,
  refineStep = 0.05,
): { weights: number[]; ndcgAt10: number } {
  const itemCount = history.cols;
  const raw = new Float32Array(itemCount);
  const cases: { user: number; scores: Float32Array[]; relevant: Set<number> }[] = [];
  // The cache is bounded (~256 MB): on a huge catalogue fewer users are used for tuning.
  const maxUsers = Math.max(1, Math.floor((256 * 2 ** 20) / (4 * itemCount * Math.max(1, components.length))));
  for (const user of users.subarray(0, maxUsers)) {
    const from = validation.indptr[user]!;
    const to = validation.indptr[user + 1]!;
    if (to === from) continue;
    const scores = components.map((model) => {
      model.scoreUser(user, history, raw);
      const standardised = new Float32Array(itemCount);
      addStandardised(raw, 1, standardised);
      return standardised;
    });
    cases.push({ user, scores, relevant: new Set(validation.indices.subarray(from, to)) });
  }
  if (cases.length === 0) return { weights: components.map((_, c) => (c === 0 ? 1 : 0)), ndcgAt10: 0 };

  const blended = new Float32Array(itemCount);
  const memo = new Map<string, number>();
  const score = (weights: number[]): number => {
    const key = weights.map((w) => w.toFixed(4)).join(",");
    const known = memo.get(key);
    if (known !== undefined) return known;
    let total = 0;
    for (const { user, scores, relevant } of cases) {
      blended.fill(0);
      weights.forEach((w, c) => {
        if (w === 0) return;
        const s = scores[c]!;
        for (let i = 0; i < itemCount; i++) blended[i]! += w * s[i]!;
      });
      for (let e = history.indptr[user]!; e < history.indptr[user + 1]!; e++) blended[history.indices[e]!] = -Infinity;
      total += ndcgAt(topK(blended, 10), 10, (item) => relevant.has(item), relevant.size);
    }
    const mean = total / cases.length;
    memo.set(key, mean);
    return mean;
  };

  // With many components the full grid explodes (7 models at 0.25: 210 blends): start from
  // every single model and every even pair instead, and let the refinement walk from there.
  let grid = simplexGrid(components.length, step);
  if (grid.length > 120) grid = grid.filter((weights) => weights.filter((w) => w > 0).length <= 2 && weights.every((w) => w === 0 || w === 1 || w === 0.5));
  let best = { weights: grid[0]!, ndcg: -1 };
  for (const weights of grid) {
    const ndcg = score(weights);
    if (ndcg > best.ndcg) best = { weights, ndcg };
  }
  for (let improved = true; improved; ) {
    improved = false;
    for (let from = 0; from < components.length; from++) {
      for (let to = 0; to < components.length; to++) {
        if (from === to || best.weights[from]! < refineStep - 1e-9) continue;
        const weights = best.weights.map((w, c) => (c === from ? w - refineStep : c === to ? w + refineStep : w)).map((w) => Math.round(w * 1e6) / 1e6);
        const ndcg = score(weights);
        if (ndcg > best.ndcg + 1e-12) {
          best = { weights, ndcg };
          improved = true;
        }
      }
    }
  }
  return { weights: best.weights, ndcgAt10: best.ndcg };
}
