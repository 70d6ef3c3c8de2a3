import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import { popularBooksForUser } from "../co-occurrence.ts";
import type { ModelStore } from "./model-store.ts";
import type { ServingMetrics } from "./serving-metrics.ts";

/** The most read books: their similar lists are the ones asked for first after a switch. */
const WARM_BOOKS = 50;

/**
 * Fills the list cache with the most popular books' similar lists after the models
 * change, in the background: a new version's keys start empty, and without this the
 * first readers of the most read books would each pay for a fresh list.
 */
export class CacheWarmer {
  private warming: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelStore,
    private readonly metrics: ServingMetrics,
    private readonly logger: Logger,
    /** Computes (and so caches) a book's default similar list. */
    private readonly similarList: (bookId: number) => Promise<unknown>,
    /** Read at each warm-up: the bench switches caching off at run time. */
    private readonly enabled: () => boolean,
  ) {}

  warm(): Promise<void> {
    if (!this.enabled()) return this.warming;
    // Several models switch together after a training run: one queued warm-up serves them all.
    if (this.queued) return this.warming;
    this.queued = true;
    this.warming = this.warming.then(async () => {
      this.queued = false;
      try {
        // Without a model there is nothing worth caching: fallback lists are never cached.
        if (!this.models.answersSimilar()) return;
        const popular = await popularBooksForUser(this.prisma, null, WARM_BOOKS);
        for (const book of popular) {
          if (this.stopped) return;
          await this.similarList(book.bookId);
          this.metrics.warmed += 1;
        }
      } catch (error) {
        this.logger.warn({ err: error }, "cache warm-up failed");
      }
    });
    return this.warming;
  }

  /** Stops between two books and waits for the one being computed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.warming.catch(() => {});
  }
}
