import { LRUCache } from "lru-cache";
import type { PrismaClient } from "../../../lib/db/database.ts";
import { bookFacts, type BookFacts } from "./catalogue.ts";

/**
 * Titles and authors of books, held in memory: every list's reasons and every title
 * this subgraph provides along `Recommendation.book` read them, and a book's facts
 * change only through an admin's catalogue mutation, whose CATALOGUE_CHANGED event
 * clears them here (the TTL bounds a lost event).
 */
export class BookFactsCache {
  private readonly entries: LRUCache<number, BookFacts>;

  constructor(
    private readonly prisma: PrismaClient,
    options: { maxBooks: number; ttlMs: number },
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
      for (const [id, facts] of await bookFacts(this.prisma, missing)) {
        this.entries.set(id, facts);
        found.set(id, facts);
      }
    }
    return found;
  }

  clear(): void {
    this.entries.clear();
  }
}
