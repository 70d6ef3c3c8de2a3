import { LRUCache } from "lru-cache";
import type { PrismaClient } from "../../../lib/db/database.ts";
import { readHistory, type ReaderHistory } from "../../../lib/models/user-history.ts";

/**
 * Readers' histories held in memory between their requests. One signed-in flagship
 * scores the seed book and its similar books in two batches, and every scorer and
 * list needs the reader's history: read from PostgreSQL each time, that was two
 * UNION queries over four tables per request, the largest single cost of serving
 * a reader (bench/README.md). A reader's own signal (the interaction event that
 * also folds their vector in) drops their entry on every instance; the TTL bounds
 * how long a lost event can leave a history behind.
 */
export class ReaderHistories {
  private readonly entries: LRUCache<number, ReaderHistory>;
  private readonly reading = new Map<number, { generation: number; promise: Promise<ReaderHistory> }>();
  /** Bumped by every forget: a read that started before it must not store what it read. */
  private generation = 0;
  hits = 0;
  misses = 0;
  /** Off: every call reads PostgreSQL (the bench's no-cache baseline). */
  enabled = true;

  constructor(
    private readonly prisma: PrismaClient,
    options: { maxReaders: number; ttlMs: number },
  ) {
    this.entries = new LRUCache({ max: options.maxReaders, ttl: options.ttlMs });
  }

  /** The reader's history, newest first; concurrent requests for one reader share one read. */
  of(userId: number): Promise<ReaderHistory> {
    if (!this.enabled) return readHistory(this.prisma, userId);
    const held = this.entries.get(userId);
    if (held) {
      this.hits += 1;
      return Promise.resolve(held);
    }
    const pending = this.reading.get(userId);
    if (pending && pending.generation === this.generation) return pending.promise;
    this.misses += 1;
    const generation = this.generation;
    const promise = readHistory(this.prisma, userId).then(
      (history) => {
        if (this.reading.get(userId)?.promise === promise) this.reading.delete(userId);
        if (generation === this.generation) this.entries.set(userId, history);
        return history;
      },
      (error: unknown) => {
        if (this.reading.get(userId)?.promise === promise) this.reading.delete(userId);
        throw error;
      },
    );
    this.reading.set(userId, { generation, promise });
    return promise;
  }

  /** The reader acted (or left): the next request reads their history afresh. */
  forget(userId: number): void {
    this.generation += 1;
    this.entries.delete(userId);
    this.reading.delete(userId);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.reading.clear();
  }
}
