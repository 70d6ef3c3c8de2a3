import type { RequestContext } from "../../lib/server/context.ts";
import { createRecommendationLoaders, type RecommendationLoaders } from "./loaders.ts";
import type { RecommendationEngine } from "./serving/recommendation-engine.ts";
import type { TrendingLists } from "./serving/trending-lists.ts";

export interface RecommendationsContext extends RequestContext {
  engine: RecommendationEngine;
  trending: TrendingLists;
  loaders: RecommendationLoaders;
}

export const createRecommendationsContext = (base: RequestContext, engine: RecommendationEngine, trending: TrendingLists): RecommendationsContext => ({
  ...base,
  engine,
  trending,
  loaders: createRecommendationLoaders(engine, { requestId: base.requestId, viewerId: base.viewer?.userId ?? null, log: true }),
});
