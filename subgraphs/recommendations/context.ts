import type { RequestContext } from "../../lib/server/context.ts";
import { createRecommendationLoaders, type RecommendationLoaders } from "./loaders.ts";
import type { RecommendationEngine } from "./serving/recommendation-engine.ts";

export interface RecommendationsContext extends RequestContext {
  engine: RecommendationEngine;
  loaders: RecommendationLoaders;
}

export const createRecommendationsContext = (base: RequestContext, engine: RecommendationEngine): RecommendationsContext => ({
  ...base,
  engine,
  loaders: createRecommendationLoaders(engine, { requestId: base.requestId, viewerId: base.viewer?.userId ?? null, log: true }),
});
