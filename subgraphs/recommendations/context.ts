import type { RequestContext } from "../../lib/server/context.ts";
import { createRecommendationLoaders, type RecommendationLoaders } from "./loaders.ts";

export interface RecommendationsContext extends RequestContext {
  loaders: RecommendationLoaders;
}

export const createRecommendationsContext = (base: RequestContext): RecommendationsContext => ({
  ...base,
  loaders: createRecommendationLoaders(base.runtime.db.prisma, base.runtime.cache),
});
