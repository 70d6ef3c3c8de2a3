/**
 * A stock gateway for comparison: @apollo/gateway inside @apollo/server's standalone
 * server, configured as its documentation shows, plus only what our subgraphs need
 * to see the caller: the bearer token verified and the caller's identity passed on
 * in the signed internal header the subgraphs trust. Same supergraph, same subgraph
 * processes as ours. Env: PORT, SUPERGRAPH_PATH, <NAME>_URL per subgraph, JWT_SECRET,
 * INTERNAL_SECRET.
 */
import { readFileSync } from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { userIdentity } from "../../lib/auth/identity.ts";
import { IDENTITY_HEADER, signIdentityHeader } from "../../lib/auth/internal-identity.ts";
import { verifyAccessToken } from "../../lib/auth/tokens.ts";
import { loadConfig } from "../../lib/config.ts";

process.env.APOLLO_TELEMETRY_DISABLED = "true";
// A stock deployment runs plain JavaScript; tsx (which runs this file) turns source-mapped
// stack traces on, and @apollo/gateway's fetch stack reads `new Error().stack` on every
// subgraph request (agent-base's isSecureEndpoint): mapped, that was about 6 % of this process's CPU.
process.setSourceMapsEnabled(false);
interface Context {
  identityHeader?: string;
}
const config = loadConfig({ JWT_SECRET: process.env.JWT_SECRET, INTERNAL_SECRET: process.env.INTERNAL_SECRET, NODE_ENV: "test" });

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
        if (context.identityHeader) request.http?.headers.set(IDENTITY_HEADER, context.identityHeader);
      }
    })({ url: urls[name] ?? url }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4100), host: "127.0.0.1" },
  context: async ({ req }) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return {};
    const verified = await verifyAccessToken(config, token);
    return { identityHeader: signIdentityHeader(config.INTERNAL_SECRET, userIdentity(verified.viewer, verified.sessionId)) };
  },
});
process.stdout.write(`stock gateway ${url}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void server.stop().finally(() => process.exit(0)));
