import type { Cache } from "../../../lib/cache.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";
import { TRENDING_LIST_LENGTH, type TrendingChangedEvent, type TrendingEntry, type TrendingWindow } from "../../../lib/events/trending-changed.ts";
import { currentTrending } from "../../../lib/trending/current-trending.ts";
import type { TrendingStore } from "../../../lib/trending/trending-store.ts";

/** Counts move without the ranking changing (no event then): a window is reread from the store at most this often. */
const TRENDING_TTL_SECONDS = 5;

/**
 * The trending lists this subgraph answers: the trending consumer's decayed counts
 * (lib/trending), cached per window and replaced by each TRENDING_CHANGED event, so
 * a query right after a push agrees with it.
 */
export class TrendingLists {
  constructor(
    private readonly store: TrendingStore,
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
  ) {}

  async top(window: TrendingWindow, limit: number): Promise<TrendingEntry[]> {
    const list = await this.cache.getOrSet(this.key(window), () => currentTrending(this.store, this.prisma, window, TRENDING_LIST_LENGTH), TRENDING_TTL_SECONDS);
    return list.slice(0, limit);
  }

  async changed(event: TrendingChangedEvent): Promise<void> {
    await this.cache.set(this.key(event.window), event.books, TRENDING_TTL_SECONDS);
  }

  private key(window: TrendingWindow): string {
    return `rec:trending:${window}`;
  }
}
