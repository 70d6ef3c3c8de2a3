import { LRUCache } from "lru-cache";
import type { Book } from "../../lib/db/database.ts";

/**
 * Book rows by id, shared by every request of this subgraph instance: the entity
 * batches of a flagship answer (a book and its similar titles) are mostly the same
 * popular rows, and a batch found whole here costs no SQL round trip.
 *
 * Freshness: the catalogue's own mutations and every instance's CATALOGUE_CHANGED
 * event clear it; `ttlMs` bounds whatever an event missed on a fire-and-forget bus.
 * A row's rating aggregates, which every rating moves, are never served from here
 * (the Book resolvers read them fresh). Rows are shared between requests: never mutate one.
 */
export class BookCache {
  private readonly rows: LRUCache<number, Book>;
  /** Bumped by every invalidation: a batch read before it must not store what it read. */
  private generation = 0;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.rows = new LRUCache<number, Book>({ max: options.maxEntries, ttl: options.ttlMs });
  }

  /** The moment a read starts; pass it back to `remember`. */
  snapshot(): number {
    return this.generation;
  }

  get(id: number): Book | undefined {
    return this.rows.get(id);
  }

  /** Keeps rows read since `snapshot`, unless the catalogue changed meanwhile (they may predate the change). */
  remember(rows: Iterable<Book>, snapshot: number): void {
    if (snapshot !== this.generation) return;
    for (const row of rows) this.rows.set(row.id, row);
  }

  evict(id: number): void {
    this.generation += 1;
    this.rows.delete(id);
  }

  clear(): void {
    this.generation += 1;
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }
}
