/** What a recommendation variant can serve: the RecommendationStrategy enum of the schema. */
export const RECOMMENDATION_STRATEGIES = ["CF", "CONTENT", "HYBRID", "POPULARITY"] as const;
export type RecommendationStrategy = (typeof RECOMMENDATION_STRATEGIES)[number];

export const isRecommendationStrategy = (value: unknown): value is RecommendationStrategy =>
  typeof value === "string" && (RECOMMENDATION_STRATEGIES as readonly string[]).includes(value);

/** Where an experiment applies: a reader's recommendations or a book's similar books. */
export const EXPERIMENT_SURFACES = ["USER_RECOMMENDATIONS", "SIMILAR_BOOKS"] as const;
export type ExperimentSurface = (typeof EXPERIMENT_SURFACES)[number];

/** The model a variant's pinned version refers to: the one its strategy is served by. */
export const PINNED_MODEL_OF_STRATEGY: Readonly<Record<RecommendationStrategy, string>> = { CF: "als", CONTENT: "content", HYBRID: "hybrid", POPULARITY: "popularity" };
