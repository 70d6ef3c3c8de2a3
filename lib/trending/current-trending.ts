import { Prisma, type PrismaClient } from "../db/database.ts";
import type { TrendingEntry, TrendingWindow } from "../events/trending-changed.ts";
import type { TrendingStore } from "./trending-store.ts";

/** Each window's length, for the readers and interactions counts shown beside the decayed score. */
export const TRENDING_WINDOW_INTERVALS = { HOUR: "1 hour", DAY: "1 day", WEEK: "7 days" } as const satisfies Record<TrendingWindow, string>;

/**
 * A window's ranked list: the decayed scores from the store, with each listed book's
 * distinct readers and interactions within the window (one indexed query for the listed books only).
 * The trending consumer publishes it and the recommendations subgraph answers it: both read it here.
 */
export async function currentTrending(store: TrendingStore, prisma: PrismaClient, window: TrendingWindow, limit: number): Promise<TrendingEntry[]> {
  const top = await store.top(window, limit);
  if (top.length === 0) return [];
  const rows = await prisma.$queryRaw<{ book_id: number; readers: number; events: number }[]>(Prisma.sql`
    SELECT book_id, count(DISTINCT user_id)::int AS readers, count(*)::int AS events
    FROM interactions
    WHERE book_id IN (${Prisma.join(top.map((entry) => entry.bookId))})
      AND occurred_at > now() - ${TRENDING_WINDOW_INTERVALS[window]}::interval
    GROUP BY book_id`);
  const counts = new Map(rows.map((row) => [row.book_id, row]));
  return top.map(({ bookId, score }) => ({
    bookId,
    score,
    readers: counts.get(bookId)?.readers ?? 0,
    interactions: counts.get(bookId)?.events ?? 0,
  }));
}
