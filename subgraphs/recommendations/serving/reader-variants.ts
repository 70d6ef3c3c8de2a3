import { randomUUID } from "node:crypto";
import { PINNED_MODEL_OF_STRATEGY, type ExperimentSurface } from "../../../lib/experiments/strategies.ts";
import { isModelName } from "../../../lib/models/model-names.ts";
import type { ModelPin } from "./model-store.ts";
import type { ExperimentVariants, ServingVariant } from "../../../lib/experiments/serving-variants.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { DeliveredList, ServedList, Strategy } from "./served-list.ts";

/** The cache-key and log label of lists served outside any experiment. */
export const DEFAULT_VARIANT = "default";

/** "experiment=variant": part of cache keys and log rows, so variants never share cached lists. */
export const variantLabel = (variant: ServingVariant | null): string => (variant ? `${variant.experimentKey}=${variant.variantKey}` : DEFAULT_VARIANT);

/**
 * The experiment side of serving: which arm a reader is in on a surface (the
 * lookup itself is the experiments code's, lib/experiments), the strategy that
 * arm serves, and stamping each delivered list with its id and arm, logging the
 * exposure when an arm served it.
 */
export class ReaderVariants {
  constructor(
    private readonly experiments: ExperimentVariants,
    private readonly logger: Logger,
  ) {}

  /** The reader's arm on the surface; null (the default) for anonymous requests or when experiments cannot be read. */
  async of(surface: ExperimentSurface, userId: number | null | undefined): Promise<ServingVariant | null> {
    if (userId === null || userId === undefined) return null;
    try {
      return await this.experiments.forReader(surface, userId);
    } catch (error) {
      // An experiment lookup that fails must not fail the recommendation: serve the default.
      this.logger.warn({ err: error, surface, userId }, "experiment lookup failed; serving the default");
      return null;
    }
  }

  /** What the arm serves, or what the request asked for. */
  strategyOf(variant: ServingVariant | null, requested: Strategy): Strategy {
    return variant?.strategy ?? requested;
  }

  /** The model version the arm pins (a canary), for the model its strategy is served by; null: production. */
  pinOf(variant: ServingVariant | null, strategy: Strategy): ModelPin | null {
    if (!variant || variant.modelVersion === null) return null;
    const name = PINNED_MODEL_OF_STRATEGY[strategy];
    return isModelName(name) ? { name, version: variant.modelVersion } : null;
  }

  /** "name@version" of every version a running experiment pins; null when experiments cannot be read (keep what is loaded). */
  async pinnedKeys(): Promise<Set<string> | null> {
    try {
      const pinned = await this.experiments.pinnedVersions();
      return new Set(pinned.map(({ strategy, modelVersion }) => `${PINNED_MODEL_OF_STRATEGY[strategy]}@${modelVersion}`));
    } catch (error) {
      this.logger.warn({ err: error }, "cannot read the pinned model versions; keeping the loaded ones");
      return null;
    }
  }

  /** Gives the list its id and arm; an arm's list is logged as an exposure before the reader can act on it. */
  async deliver(list: ServedList, variant: ServingVariant | null, userId: number | null | undefined): Promise<DeliveredList> {
    const listId = randomUUID();
    if (variant && userId !== null && userId !== undefined) {
      try {
        await this.experiments.recordExposure({ listId, variant, userId, bookIds: list.items.map((item) => item.bookId) });
      } catch (error) {
        // The reader still gets their list; only its events cannot be attributed (trackEvent answers false).
        this.logger.warn({ err: error, listId, experiment: variant.experimentKey }, "exposure log failed");
      }
    }
    return { ...list, listId, experiment: variant?.experimentKey ?? null, variant: variant?.variantKey ?? null };
  }
}
