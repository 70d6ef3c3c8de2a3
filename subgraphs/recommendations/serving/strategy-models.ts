import { HYBRID } from "../../../lib/models/model-names.ts";
import type { ServingRole } from "../../../lib/models/serving-description.ts";
import type { LoadedModel } from "./loaded-model.ts";
import type { ModelPin } from "./model-store.ts";
import type { Strategy } from "./served-list.ts";

/**
 * The one place that says which served models answer a strategy. A model's role
 * comes from its version's serving description (its algorithm decides it), so a new
 * algorithm joins the strategies of its role without a change here:
 * - CF: the collaborative models (ALS, item-CF, RP3beta, EASE, ...);
 * - CONTENT: the content models;
 * - HYBRID: both, blended;
 * - POPULARITY: the popularity model (the engine serves it as the popularity list).
 * Within a strategy the models are weighted by the hybrid recipe (the blend learned
 * on validation), renormalised over the models that could answer; models the recipe
 * gave no weight are left out while another one has weight.
 */
export const STRATEGY_ROLES: Readonly<Record<Strategy, readonly ServingRole[]>> = {
  CF: ["collaborative"],
  CONTENT: ["content"],
  HYBRID: ["collaborative", "content"],
  POPULARITY: ["popularity"],
};

export interface WeightedModel {
  readonly model: LoadedModel;
  readonly weight: number;
}

/** The recipe among the leased models, if one is served. */
export function recipeModel(leased: readonly LoadedModel[]): LoadedModel | undefined {
  return leased.find((model) => model.name === HYBRID && model.state.recipe);
}

/**
 * The leased models answering `strategy` that `can` serve the request, with their
 * blend weights. A pinned version of a model (a canary variant) serves the strategy
 * alone when it can answer, whatever the recipe's weight for it: the variant is
 * there to show that version's lists. A pinned recipe (HYBRID) is simply the recipe
 * the blend uses.
 */
export function modelsFor(strategy: Strategy, leased: readonly LoadedModel[], can: (model: LoadedModel) => boolean, pin: ModelPin | null = null): WeightedModel[] {
  const roles = STRATEGY_ROLES[strategy];
  if (pin && pin.name !== HYBRID) {
    const pinned = leased.find((model) => model.name === pin.name && model.version === pin.version && roles.includes(model.role) && can(model));
    if (pinned) return [{ model: pinned, weight: 1 }];
  }
  const candidates = leased.filter((model) => roles.includes(model.role) && can(model));
  const recipe = recipeModel(leased)?.state.recipe;
  const raw = candidates.map((model) => {
    const weight = recipe?.components.find((c) => c.model === model.name)?.weight;
    return weight === undefined ? (recipe ? 0 : 1) : Math.max(weight, 0);
  });
  const total = raw.reduce((sum, w) => sum + w, 0);
  if (total === 0) return candidates.map((model) => ({ model, weight: 1 / Math.max(candidates.length, 1) }));
  return candidates.map((model, i) => ({ model, weight: raw[i]! / total })).filter((entry) => entry.weight > 0);
}
