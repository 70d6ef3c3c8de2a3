import type { Source } from "./served-list.ts";

/** The serving path's counters, shared by its modules and read by `GET /metrics` and the bench. */
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
  }

  countFallback(reason: string): void {
    this.fallbacks[reason] = (this.fallbacks[reason] ?? 0) + 1;
  }
}
