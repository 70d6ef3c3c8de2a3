import { modelLoadFailures, recommendationFallbacks, recommendationsServed } from "../../../lib/metrics/index.ts";
import type { Source } from "./served-list.ts";

/** The serving path's counters, shared by its modules, read by the bench and tests, and mirrored to Prometheus. */
export class ServingMetrics {
  readonly served: Record<string, number> = {};
  readonly fallbacks: Record<string, number> = {};
  cacheHits = 0;
  cacheMisses = 0;
  foldIns = 0;
  invalidations = 0;
  warmed = 0;

  countServed(source: Source): void {
    this.served[source] = (this.served[source] ?? 0) + 1;
    recommendationsServed.inc({ source });
  }

  countFallback(reason: string): void {
    this.fallbacks[reason] = (this.fallbacks[reason] ?? 0) + 1;
    recommendationFallbacks.inc({ reason });
  }

  /** A production version that cannot be served: why the answers it would have given come from elsewhere. */
  countLoadFailure(model: string): void {
    modelLoadFailures.inc({ model });
  }
}
