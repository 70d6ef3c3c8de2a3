import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { createExperimentsContext, type ExperimentsContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";

export const experimentsSubgraph: SubgraphDefinition<ExperimentsContext> = {
  name: "experiments",
  schemaPath: new URL("./schema.graphql", import.meta.url),
  resolvers,
  permissions,
  extendContext: createExperimentsContext,
};
