import { LRUCache } from "lru-cache";
import type { PrismaClient } from "../../../lib/db/database.ts";
import { bookFacts, catalogueFacts, type BookFacts } from "./catalogue.ts";

/**
 * Titles and authors of books, held in memory: every list's reasons, every title
 * this subgraph answers (a book's own and those of the books it recommends) read
 * them, and a book's facts change only through an admin's catalogue mutation, whose
 * CATALOGUE_CHANGED event clears them here (the TTL bounds a lost event). `preload`
 * reads the most-read books at start in one statement, so the first lists of a
 * freshly started instance do not each wait on a query of their own.
 */
export class BookFactsCache {
  private readonly entries: LRUCache<number, BookFacts>;
  /** Bumped by every clear: a read that started before it must not store what it read. */
  private generation = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: { maxBooks: number; ttlMs: number },
  ) {
    this.entries = new LRUCache({ max: options.maxBooks, ttl: options.ttlMs });
  }

  /** Facts of the books that exist, one query for the ones not held. */
  async of(bookIds: readonly number[]): Promise<Map<number, BookFacts>> {
    const found = new Map<number, BookFacts>();
    const missing: number[] = [];
    for (const id of bookIds) {
      const held = this.entries.get(id);
      if (held) found.set(id, held);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const generation = this.generation;
      for (const [id, facts] of await bookFacts(this.prisma, missing)) {
        if (generation === this.generation) this.entries.set(id, facts);
        found.set(id, facts);
      }
    }
    return found;
  }

  /** The facts held for a book, without reading: undefined when not held (or not a book). */
  held(bookId: number): BookFacts | undefined {
    return this.entries.get(bookId);
  }

  /** Holds the most-read books' facts, as many as the cache keeps; returns how many it read. */
  async preload(): Promise<number> {
    const generation = this.generation;
    const facts = await catalogueFacts(this.prisma, this.options.maxBooks);
    if (generation !== this.generation) return 0;
    for (const [id, entry] of facts) if (!this.entries.has(id)) this.entries.set(id, entry);
    return facts.size;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
