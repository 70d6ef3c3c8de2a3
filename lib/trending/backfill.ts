import { Prisma, type PrismaClient } from "../db/database.ts";
import { TRENDING_WINDOW_NAMES } from "../events/trending-changed.ts";
import { NEGLIGIBLE_SCORE, TRENDING_TIME_CONSTANT_MS } from "./decay.ts";
import type { TrendingStore } from "./trending-store.ts";

/** Interactions older than this many time constants weigh under e^-20 and are not worth reading. */
const HORIZON_TIME_CONSTANTS = 20;

/**
 * Fills an empty store from the interactions table: interactions that never went
 * through the stream (imported, seeded, or older than a fresh Redis) still trend.
 * Summed in SQL, so the backfill is one aggregate per window, not one row per interaction.
 */
export async function backfillTrending(store: TrendingStore, prisma: PrismaClient): Promise<void> {
  const now = Date.now();
  for (const window of TRENDING_WINDOW_NAMES) {
    const tau = TRENDING_TIME_CONSTANT_MS[window];
    const rows = await prisma.$queryRaw<{ book_id: number; score: number }[]>(Prisma.sql`
      SELECT book_id, sum(exp(greatest(extract(epoch FROM occurred_at - to_timestamp(${now / 1000})) * 1000 / ${tau}, -700)))::float8 AS score
      FROM interactions
      WHERE occurred_at > to_timestamp(${now / 1000}) - make_interval(secs => ${(HORIZON_TIME_CONSTANTS * tau) / 1000})
      GROUP BY book_id`);
    await store.replace(window, rows.filter((row) => row.score >= NEGLIGIBLE_SCORE).map((row) => ({ bookId: row.book_id, score: row.score })), now);
  }
}
