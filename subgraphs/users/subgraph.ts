import type { SubgraphDefinition } from "../../lib/server/subgraph-server.ts";
import { mountCredentialRoute } from "./accounts/credential-route.ts";
import { revokedCredentialsHeaderPlugin } from "./accounts/revocations.ts";
import { createUsersContext, type UsersContext } from "./context.ts";
import { permissions } from "./permissions.ts";
import { resolvers } from "./resolvers.ts";

export const usersSubgraph: SubgraphDefinition<UsersContext> = {
  name: "users",
  schemaPath: new URL("./schema.graphql", import.meta.url),
  resolvers,
  permissions,
  extendContext: createUsersContext,
  plugins: [revokedCredentialsHeaderPlugin()],
  // The gateway looks up API keys and sign-in sessions here (it holds no database);
  // and the users subgraph writes the interactions, so it relays their outbox rows to the stream.
  async start(runtime, app) {
    mountCredentialRoute(app, runtime);
    runtime.outbox.start();
    return { stop: () => runtime.outbox.stop() };
  },
};
