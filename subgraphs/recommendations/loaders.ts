import DataLoader from "dataloader";
import type { Cache } from "../../lib/cache.ts";
import type { PrismaClient } from "../../lib/db/database.ts";
import { similarBooks, type ScoredBook } from "./co-occurrence.ts";

export interface RecommendationLoaders {
  /** Up to MAX_NEIGHBOURS similar books per book, shared through the cache across requests. */
  similarByBookId: DataLoader<number, ScoredBook[]>;
}

const similarKey = (bookId: number) => `similar:co-occurrence:${bookId}`;

export function createRecommendationLoaders(prisma: PrismaClient, cache: Cache): RecommendationLoaders {
  return {
    similarByBookId: new DataLoader(async (bookIds) => {
      const cached = await Promise.all(bookIds.map((id) => cache.get<ScoredBook[]>(similarKey(id))));
      const missing = bookIds.filter((_id, index) => cached[index] === undefined);
      const computed = missing.length > 0 ? await similarBooks(prisma, missing) : new Map<number, ScoredBook[]>();
      await Promise.all([...computed].map(([id, neighbours]) => cache.set(similarKey(id), neighbours)));
      return bookIds.map((id, index) => cached[index] ?? computed.get(id) ?? []);
    }),
  };
}
