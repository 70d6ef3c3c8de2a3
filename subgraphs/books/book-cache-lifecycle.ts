import { parseCatalogueChanged } from "../../lib/events/catalogue-changed.ts";
import { Topics } from "../../lib/pubsub.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { BookCache } from "./book-cache.ts";

/**
 * Keyed by the service's database handle: the server hands resolvers the same
 * per-service runtime it started the subgraph with, and each books instance (two in
 * one test process, say) keeps a cache of its own database's rows.
 */
const caches = new WeakMap<Runtime["db"], BookCache>();

/** This instance's book cache; undefined when BOOK_CACHE_SIZE is 0 (every lookup reads the database). */
export function bookCacheOf(runtime: Runtime): BookCache | undefined {
  return caches.get(runtime.db);
}

/**
 * Creates the instance's cache and keeps it fresh from the bus: a catalogue change
 * announced by any instance clears it. Ratings need no eviction: a book's rating
 * aggregates are always read fresh (`ratingStatsOf`), never from a cached row.
 */
export async function startBookCache(runtime: Runtime): Promise<{ stop(): Promise<void> }> {
  const { BOOK_CACHE_SIZE, BOOK_CACHE_TTL_SECONDS } = runtime.config;
  if (BOOK_CACHE_SIZE === 0) return { stop: async () => {} };
  const cache = new BookCache({ maxEntries: BOOK_CACHE_SIZE, ttlMs: BOOK_CACHE_TTL_SECONDS * 1000 });
  caches.set(runtime.db, cache);
  const subscriptions = [
    await runtime.pubsub.subscribe(Topics.CATALOGUE_CHANGED, (payload: unknown) => {
      if (parseCatalogueChanged(payload)) cache.clear();
    }, {}),
  ];
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        for (const id of subscriptions) runtime.pubsub.unsubscribe(id);
        caches.delete(runtime.db);
      })();
      return stopping;
    },
  };
}
