import { HYBRID_RECIPE } from "../../lib/models/artifact-format.ts";
import type { ModelExport } from "../export/verify.ts";
import { HybridModel } from "../models/hybrid.ts";
import type { Recommender } from "../models/recommender.ts";

/**
 * The hybrid is not trained from interactions: it blends the run's other models
 * with weights learned on the validation slice (models/hybrid-tuning.ts). Exported
 * as a recipe naming each component's registered version, which the server blends
 * from the components it already serves.
 */
export const HYBRID = "hybrid";

export function exportHybrid(model: HybridModel, versions: Readonly<Record<string, number>>): ModelExport {
  const recipe = {
    combine: "weighted sum of per-user standardised (z-score over the catalogue) component scores",
    components: model.components.map((c) => ({ model: c.model.name, version: versions[c.model.name] ?? null, weight: c.weight })),
  };
  return {
    files: [{ file: HYBRID_RECIPE, bytes: new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`) }],
    checks: [],
    serving: { role: "blend", graphs: {} },
  };
}

export async function loadHybrid(
  recipe: { components: { model: string; weight: number; version: number }[] },
  resolveComponent: (name: string, version: number) => Promise<Recommender>,
): Promise<HybridModel> {
  const components = [];
  for (const c of recipe.components) components.push({ model: await resolveComponent(c.model, c.version), weight: c.weight });
  return new HybridModel(components);
}
