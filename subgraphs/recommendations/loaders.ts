import DataLoader from "dataloader";
import type { RecommendationEngine } from "./serving/recommendation-engine.ts";

export interface RecommendationLoaders {
  /**
   * Personalised scores keyed "userId:bookId": every Book.score of one query (the
   * similar books of five lists, say) reaches the engine as one call per reader,
   * which the engine's shared batcher merges with concurrent queries into one
   * inference run.
   */
  scoreByUserBook: DataLoader<string, number>;
}

export function createRecommendationLoaders(engine: RecommendationEngine): RecommendationLoaders {
  return {
    scoreByUserBook: new DataLoader(async (keys) => {
      const byUser = new Map<number, number[]>();
      for (const key of keys) {
        const [userId, bookId] = key.split(":").map(Number) as [number, number];
        byUser.set(userId, [...(byUser.get(userId) ?? []), bookId]);
      }
      const scored = new Map<number, Map<number, number>>();
      await Promise.all([...byUser].map(async ([userId, bookIds]) => scored.set(userId, await engine.scores(userId, bookIds))));
      return keys.map((key) => {
        const [userId, bookId] = key.split(":").map(Number) as [number, number];
        return scored.get(userId)?.get(bookId) ?? 0;
      });
    }),
  };
}
