/**
 * A stock gateway for comparison: @apollo/gateway inside @apollo/server's standalone
 * server, configured as its documentation shows, plus only what our subgraphs need
 * to see the caller (the Authorization header forwarded). Same supergraph, same
 * subgraph processes as ours. Env: PORT, SUPERGRAPH_PATH, <NAME>_URL per subgraph.
 */
import { readFileSync } from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

process.env.APOLLO_TELEMETRY_DISABLED = "true";
interface Context {
  authorization?: string;
}

const urls: Record<string, string | undefined> = {
  users: process.env.USERS_URL,
  books: process.env.BOOKS_URL,
  recommendations: process.env.RECOMMENDATIONS_URL,
  experiments: process.env.EXPERIMENTS_URL,
};
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH ?? "schema/supergraph.graphql", "utf8"),
  buildService: ({ name, url }) =>
    new (class extends RemoteGraphQLDataSource<Context> {
      override willSendRequest({ request, context }: { request: { http?: { headers: { set(name: string, value: string): void } } }; context: Context }) {
        if (context.authorization) request.http?.headers.set("authorization", context.authorization);
      }
    })({ url: urls[name] ?? url }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4100), host: "127.0.0.1" },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
process.stdout.write(`stock gateway ${url}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void server.stop().finally(() => process.exit(0)));
