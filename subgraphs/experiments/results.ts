import type { Experiment, ExperimentVariant } from "../../lib/db/database.ts";
import { analyse, DEFAULT_ANALYSIS, type PrimaryMetric } from "../../lib/experiments/statistics/analyse.ts";
import { emptySums } from "../../lib/experiments/statistics/variant-sums.ts";
import type { ExperimentsContext } from "./context.ts";
import { EVENT_TYPES } from "./event-tracking.ts";
import { variantCounts } from "./results-query.ts";

/** Experiment.results: the sums from SQL, the statistics in TypeScript. */
export async function experimentResults(experiment: Experiment, options: { cuped: boolean; sequential: boolean }, context: ExperimentsContext) {
  const [variants, counts] = await Promise.all([
    context.loaders.variantsByExperimentId.load(experiment.id),
    variantCounts(context.runtime.db.prisma, experiment.id),
  ]);
  const primaryMetric: PrimaryMetric = experiment.primaryMetric === "CONVERSION" ? "CONVERSION" : "CTR";
  const analysis = analyse(
    variants.map((variant) => ({ key: variant.key, weight: variant.weight, sums: counts.get(variant.id)?.sums ?? emptySums() })),
    { ...DEFAULT_ANALYSIS, ...options, primaryMetric },
  );
  return {
    primaryMetric,
    cuped: options.cuped,
    sequential: options.sequential,
    sampleRatioMismatch: analysis.sampleRatioMismatch,
    variants: variants.map((variant: ExperimentVariant, i) => {
      const result = analysis.variants[i]!;
      const variantCount = counts.get(variant.id);
      return {
        variant,
        users: result.users,
        exposures: variantCount?.exposures ?? 0,
        events: EVENT_TYPES.map((type) => ({ type, count: variantCount?.events.get(type) ?? 0 })),
        ctr: result.ctr,
        conversion: result.conversion,
        lift: result.lift && { value: result.lift.value, low: result.lift.low, high: result.lift.high },
        pValue: result.lift?.pValue ?? null,
        guardrailLift: result.guardrailLift && { value: result.guardrailLift.value, low: result.guardrailLift.low, high: result.guardrailLift.high },
        guardrailPValue: result.guardrailLift?.pValue ?? null,
      };
    }),
  };
}
