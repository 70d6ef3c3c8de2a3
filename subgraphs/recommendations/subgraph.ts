import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { createRecommendationsContext, type RecommendationsContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";

export const recommendationsSubgraph: SubgraphDefinition<RecommendationsContext> = {
  name: "recommendations",
  schemaPath: new URL("./schema.graphql", import.meta.url),
  resolvers,
  permissions,
  extendContext: createRecommendationsContext,
};
