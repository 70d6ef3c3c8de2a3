import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";

export interface RecommendationLogEntry {
  requestId: string | null;
  userId: number | null;
  seedBookId: number | null;
  strategy: string;
  source: string;
  modelName: string | null;
  modelVersion: number | null;
  variantKey: string | null;
  bookIds: number[];
  scores: number[];
}

export interface RecommendationLogOptions {
  /** Share of anonymous lists written (0 to 1); each written one carries weight 1/rate so counts stay estimable. */
  anonymousSampleRate: number;
  /** Rows older than this are deleted. */
  retentionDays: number;
  /** For tests: the sampler's coin. */
  random?: () => number;
}

/**
 * Scores as logged: six decimals. A list's 50 scores at full precision were most of
 * every row's JSON (17 digits each, ~1.5 KB a row), parsed again by the database on
 * every batch; no analysis of the log tells scores apart below 1e-6.
 */
const loggedScore = (score: number): number => Math.round(score * 1e6) / 1e6;

const FLUSH_EVERY_MS = 500;
const FLUSH_AT = 200;
/** What the writer holds while the database is away; beyond it the oldest entries are dropped (and counted). */
const MAX_BUFFERED = 20_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Deleted per statement, so pruning a long backlog never holds a long lock. */
const PRUNE_BATCH = 10_000;

/**
 * One statement text for every batch, whatever its size: the batch travels as one
 * JSON parameter. Prisma's createMany would compile (and keep) a query plan per
 * distinct batch size, which grew the process by a plan for every request served.
 */
const INSERT_BATCH = `INSERT INTO recommendation_logs
  (request_id, user_id, seed_book_id, strategy, source, model_name, model_version, variant_key, book_ids, scores, sample_weight)
SELECT request_id, user_id, seed_book_id, strategy, source, model_name, model_version, variant_key, book_ids, scores, sample_weight
FROM jsonb_to_recordset($1::jsonb) AS entry(
  request_id text, user_id int, seed_book_id int, strategy text, source text, model_name text,
  model_version int, variant_key text, book_ids int[], scores float8[], sample_weight float8)
-- A reader erased while their entry waited here is not written back (and would fail the whole batch on the foreign key, forever).
WHERE entry.user_id IS NULL OR EXISTS (SELECT 1 FROM users WHERE users.id = entry.user_id)`;

const PRUNE_OLDEST = `DELETE FROM recommendation_logs WHERE id IN (
  SELECT id FROM recommendation_logs WHERE created_at < now() - make_interval(days => $1::int) LIMIT ${PRUNE_BATCH})`;

interface PendingRow {
  request_id: string | null;
  user_id: number | null;
  seed_book_id: number | null;
  strategy: string;
  source: string;
  model_name: string | null;
  model_version: number | null;
  variant_key: string | null;
  book_ids: number[];
  scores: number[];
  sample_weight: number;
}

/**
 * Every served list of a reader, and a sample of anonymous ones, goes to
 * recommendation_logs for evaluation and A/B analysis, written in batches off the
 * request path: a request only appends to a bounded buffer. A batch the database
 * refuses (an outage) stays buffered and is written when it returns.
 */
export class RecommendationLogWriter {
  private buffer: PendingRow[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private failing = false;
  private readonly random: () => number;
  written = 0;
  /** Anonymous lists left out by sampling. */
  sampledOut = 0;
  /** Entries lost because the buffer overflowed during a long outage. */
  dropped = 0;
  pruned = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly options: RecommendationLogOptions = { anonymousSampleRate: 0.1, retentionDays: 90 },
  ) {
    this.random = options.random ?? Math.random;
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  append(entry: RecommendationLogEntry): void {
    let weight = 1;
    if (entry.userId === null) {
      const rate = this.options.anonymousSampleRate;
      if (rate <= 0 || this.random() >= rate) {
        this.sampledOut += 1;
        return;
      }
      weight = 1 / rate;
    }
    if (this.buffer.length >= MAX_BUFFERED) {
      this.buffer.shift();
      this.dropped += 1;
    }
    this.buffer.push({
      request_id: entry.requestId,
      user_id: entry.userId,
      seed_book_id: entry.seedBookId,
      strategy: entry.strategy,
      source: entry.source,
      model_name: entry.modelName,
      model_version: entry.modelVersion,
      variant_key: entry.variantKey,
      book_ids: entry.bookIds,
      scores: entry.scores.map(loggedScore),
      sample_weight: weight,
    });
    if (this.buffer.length >= FLUSH_AT && !this.failing) void this.flush();
  }

  /** Drops the buffered entries of an erased reader. */
  forget(userId: number): void {
    this.buffer = this.buffer.filter((row) => row.user_id !== userId);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, FLUSH_AT);
        try {
          await this.prisma.$executeRawUnsafe(INSERT_BATCH, JSON.stringify(batch));
        } catch (error) {
          // Kept for the next flush: losing a log batch must never fail or slow a request, nor lose the batch.
          if (!this.failing) this.logger.warn({ err: error, buffered: this.buffer.length }, "recommendation log write failed; keeping the entries to retry");
          this.failing = true;
          return;
        }
        this.buffer.splice(0, batch.length);
        this.written += batch.length;
        if (this.failing) this.logger.info({ buffered: this.buffer.length, dropped: this.dropped }, "recommendation log writes resumed");
        this.failing = false;
      }
    });
    return this.flushing;
  }

  /** Deletes rows past the retention period, a batch at a time. */
  async prune(): Promise<number> {
    let deleted = 0;
    try {
      for (;;) {
        const count = await this.prisma.$executeRawUnsafe(PRUNE_OLDEST, this.options.retentionDays);
        deleted += count;
        if (count < PRUNE_BATCH) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, "recommendation log pruning failed; retrying at the next interval");
    }
    this.pruned += deleted;
    if (deleted > 0) this.logger.info({ deleted, retentionDays: this.options.retentionDays }, "pruned old recommendation log rows");
    return deleted;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}
