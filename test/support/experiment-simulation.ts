import { Random } from "../../prisma/seed/random.ts";
import type { VariantInput } from "../../lib/experiments/statistics/analyse.ts";
import { addReader, emptySums } from "../../lib/experiments/statistics/variant-sums.ts";

export interface SimulatedArm {
  key: string;
  weight: number;
  /** Click-through rate per impression the arm truly has. */
  ctr: number;
  /** Chance a reader of average activity converts. */
  conversion: number;
}

export interface Simulation {
  seed: number;
  readers: number;
  arms: SimulatedArm[];
  /**
   * How strongly a reader's pre-period activity predicts their own click rate
   * (0: not at all; 1: fully). CUPED can only help when it is above 0.
   */
  preActivityEffect?: number;
  /** Share of the readers assigned to the last arm that are lost (a planted sample-ratio mismatch). */
  lostFromLastArm?: number;
}

/** Readers with known truth, aggregated exactly as the results query aggregates real events. */
export function simulate(simulation: Simulation): VariantInput[] {
  const random = new Random(simulation.seed, "experiment-simulation");
  const effect = simulation.preActivityEffect ?? 0;
  const arms = simulation.arms.map((arm) => ({ key: arm.key, weight: arm.weight, sums: emptySums() }));
  const weights = simulation.arms.map((arm) => arm.weight);
  for (let reader = 0; reader < simulation.readers; reader++) {
    const index = random.weightedIndex(weights);
    if (index === arms.length - 1 && simulation.lostFromLastArm && random.chance(simulation.lostFromLastArm)) continue;
    const arm = simulation.arms[index]!;
    // A reader's taste for clicking: partly what their past activity shows, partly unseen.
    const preActivity = random.exponential(5);
    const propensity = Math.max(0.05, effect * (preActivity / 5) + (1 - effect) * random.exponential(1));
    const impressions = 5 + random.int(26);
    const p = Math.min(1, arm.ctr * propensity);
    let clicks = 0;
    for (let i = 0; i < impressions; i++) if (random.chance(p)) clicks += 1;
    const converted = random.chance(Math.min(1, arm.conversion * propensity));
    addReader(arms[index]!.sums, { clicks, impressions, converted, preActivity });
  }
  return arms;
}
