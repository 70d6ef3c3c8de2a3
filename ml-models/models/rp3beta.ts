import type { InteractionMatrices } from "../data/csr.ts";
import { ItemNeighbourModel, neighbourTable } from "./item-neighbours.ts";

export interface Rp3BetaParams {
  /** Exponent on the walk's transition probabilities (1 = the plain 3-step random walk). */
  readonly alpha: number;
  /** Popularity penalty: the walk's arrival probability at j is divided by popularity(j)^beta. */
  readonly beta: number;
  readonly neighbours: number;
  /** Weight of each older book of the reader's history relative to the next newer one (1 = all alike). */
  readonly recencyDecay: number;
}

export const DEFAULT_RP3BETA: Rp3BetaParams = { alpha: 0.8, beta: 0.4, neighbours: 100, recencyDecay: 0.9 };

/**
 * RP3beta (Paudel et al. 2017; Christoffel et al. 2015): a three-step random walk
 * item -> reader -> item on the bipartite interaction graph, each step taken with
 * probability 1/degree (raised to alpha), the arrival probability at item j damped by
 * popularity(j)^beta so the walk stops landing on the same best-sellers. The
 * item-item transition matrix, cut to its top neighbours per item, is the model.
 */
export class Rp3BetaModel extends ItemNeighbourModel {
  readonly name = "rp3beta" as const;

  constructor(
    neighbourIndex: Int32Array,
    neighbourScore: Float32Array,
    itemCount: number,
    readonly params: Rp3BetaParams,
  ) {
    super(neighbourIndex, neighbourScore, itemCount, params.neighbours, params.recencyDecay);
  }

  get hyperparameters(): Readonly<Record<string, unknown>> {
    return { ...this.params };
  }
}

export function trainRp3Beta(matrices: InteractionMatrices, params: Rp3BetaParams = DEFAULT_RP3BETA): Rp3BetaModel {
  const { userItem, itemUser } = matrices;
  const itemCount = itemUser.rows;
  const degree = (m: { indptr: Int32Array }, r: number) => m.indptr[r + 1]! - m.indptr[r]!;
  const userStep = Float64Array.from({ length: userItem.rows }, (_, u) => Math.pow(Math.max(1, degree(userItem, u)), -params.alpha));
  const itemStep = Float64Array.from({ length: itemCount }, (_, i) => Math.pow(Math.max(1, degree(itemUser, i)), -params.alpha));
  const penalty = Float64Array.from({ length: itemCount }, (_, j) => Math.pow(Math.max(1, degree(itemUser, j)), -params.beta));
  const { index, score } = neighbourTable(itemCount, params.neighbours, (i, weights, touched) => {
    let count = 0;
    for (let e = itemUser.indptr[i]!; e < itemUser.indptr[i + 1]!; e++) {
      const u = itemUser.indices[e]!;
      const step = itemStep[i]! * userStep[u]!;
      for (let f = userItem.indptr[u]!; f < userItem.indptr[u + 1]!; f++) {
        const j = userItem.indices[f]!;
        if (weights[j] === 0) touched[count++] = j;
        weights[j]! += step;
      }
    }
    for (let t = 0; t < count; t++) weights[touched[t]!]! *= penalty[touched[t]!]!;
    return count;
  });
  return new Rp3BetaModel(index, score, itemCount, params);
}
