import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { startBookCache } from "./book-cache-lifecycle.ts";
import { createBooksContext, type BooksContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";

export const booksSubgraph: SubgraphDefinition<BooksContext> = {
  name: "books",
  schemaPath: new URL("./schema.graphql", import.meta.url),
  resolvers,
  permissions,
  extendContext: createBooksContext,
  start: startBookCache,
};
