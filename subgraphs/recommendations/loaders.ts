import DataLoader from "dataloader";
import type { RecommendationEngine, ServeContext } from "./serving/recommendation-engine.ts";
import type { DeliveredList, Prediction, Strategy } from "./serving/served-list.ts";

export interface SimilarRequest {
  readonly bookId: number;
  readonly strategy: Strategy;
  readonly diversify: boolean;
}

export interface RecommendationLoaders {
  /**
   * The similar lists of one response, computed together: they resolve in the same
   * turn, so the scores asked for the books on them (`similar { book { score } }`)
   * reach the scorer together too.
   */
  similar: DataLoader<SimilarRequest, DeliveredList, string>;
  /**
   * Personalised scores keyed "userId:bookId": every Book.score of one response
   * (the similar books of five lists, say) reaches the engine as one call per
   * reader, which the engine's shared batcher merges with concurrent queries into
   * one inference run. Book.score and Book.prediction share it.
   */
  predictionByUserBook: DataLoader<string, Prediction>;
  /** Titles of the books on the lists of one response (Recommendation.book provides them), null for a book that is gone. */
  bookTitle: DataLoader<number, string | null>;
}

// Field middleware (graphql-shield) reaches the resolvers of one response after
// differing numbers of microtask hops; waiting for the end of the turn collects all
// of them, where DataLoader's default (next tick) would cut several batches.
const endOfTurn = { batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch) };

/** A book the engine returned nothing for (it does not exist): no model's score, popularity 0. */
const NO_PREDICTION: Prediction = { score: 0, source: "POPULARITY", algorithm: "popularity", modelVersion: null };

export function createRecommendationLoaders(engine: RecommendationEngine, context: ServeContext): RecommendationLoaders {
  // Lists of this response being computed. A book's own score and those of the books on
  // its list (`book { score similar { book { score } } }`) wait for one another: one
  // scorer call per reader and response instead of one before and one after the list.
  const listsInFlight = new Set<Promise<unknown>>();
  // Two turns: the lists asked for in the same turn as a score have started by then, whichever loader dispatched first.
  const afterTheLists = (dispatch: () => void) =>
    setImmediate(() =>
      setImmediate(() => {
        if (listsInFlight.size === 0) return dispatch();
        void Promise.allSettled([...listsInFlight]).then(() => setImmediate(dispatch));
      }),
    );
  return {
    similar: new DataLoader(
      (requests) => {
        const lists = Promise.all(requests.map((request) => engine.similar(request.bookId, request.strategy, request.diversify, context)));
        listsInFlight.add(lists);
        return lists.finally(() => listsInFlight.delete(lists));
      },
      { ...endOfTurn, cacheKeyFn: (request) => `${request.bookId}:${request.strategy}:${request.diversify ? 1 : 0}` },
    ),
    predictionByUserBook: new DataLoader(async (keys) => {
      const byUser = new Map<number, number[]>();
      for (const key of keys) {
        const [userId, bookId] = key.split(":").map(Number) as [number, number];
        byUser.set(userId, [...(byUser.get(userId) ?? []), bookId]);
      }
      const predicted = new Map<number, Map<number, Prediction>>();
      await Promise.all([...byUser].map(async ([userId, bookIds]) => predicted.set(userId, await engine.predictions(userId, bookIds))));
      return keys.map((key) => {
        const [userId, bookId] = key.split(":").map(Number) as [number, number];
        return predicted.get(userId)?.get(bookId) ?? NO_PREDICTION;
      });
    }, { batchScheduleFn: afterTheLists }),
    bookTitle: new DataLoader(async (bookIds) => {
      const facts = await engine.bookFacts.of(bookIds);
      return bookIds.map((id) => facts.get(id)?.title ?? null);
    }, endOfTurn),
  };
}
