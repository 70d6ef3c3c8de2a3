import { readInteraction } from "../../events/interaction.ts";
import { publishTrendingChanged, TRENDING_LIST_LENGTH } from "../../events/trending-changed.ts";
import { backfillTrending } from "../../trending/backfill.ts";
import { currentTrending } from "../../trending/current-trending.ts";
import { TrendingWatcher } from "../../trending/trending-watcher.ts";
import { INTERACTIONS_STREAM } from "../index.ts";
import type { RoleOptions, RunningRole } from "./role.ts";

/** Scores decay with no event to say so: lists are recomputed on this period too. */
const TRENDING_REFRESH_MS = 30_000;

/**
 * The trending calculator: every interaction adds to its book's decayed count in
 * each window (lib/trending); after each batch the windows' top lists are recomputed
 * (coalesced: one run at a time per window, one more for whatever arrived during it) and a changed ranking is published as TRENDING_CHANGED.
 */
export async function startTrendingRole({ runtime, consumer }: RoleOptions): Promise<RunningRole> {
  const logger = runtime.logger.child({ role: "trending" });
  const prisma = runtime.db.prisma;
  if (await runtime.trending.isEmpty()) {
    await backfillTrending(runtime.trending, prisma);
    logger.info("trending counts backfilled from the interactions table");
  }
  const watcher = new TrendingWatcher({
    compute: (window) => currentTrending(runtime.trending, prisma, window, TRENDING_LIST_LENGTH),
    onChange: (window, books) => publishTrendingChanged(runtime.pubsub, { window, books, changedAt: new Date().toISOString() }),
    logger,
    refreshMs: TRENDING_REFRESH_MS,
  });
  await watcher.start();
  const stream = runtime.stream.consume({
    stream: INTERACTIONS_STREAM,
    group: "trending",
    consumer,
    async handle(message) {
      const event = readInteraction(message.payload);
      await runtime.trending.record([{ bookId: event.bookId, at: Date.parse(event.occurredAt) }]);
    },
    afterBatch: () => watcher.interactionArrived(),
  });
  return {
    role: "trending",
    get acknowledged() {
      return stream.acknowledged;
    },
    async stop() {
      await stream.stop();
      await watcher.stop();
    },
  };
}
