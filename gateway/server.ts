import { ApolloGateway } from "@apollo/gateway";
import type { Config, SubgraphName } from "../lib/config.ts";
import type { Logger } from "../lib/logger.ts";
import type { EventBus } from "../lib/pubsub.ts";
import { REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import { createHttpApp, createHttpServer, listen, urlOf } from "../lib/server/http-server.ts";
import { mountGraphQLEndpoint } from "../lib/server/graphql-endpoint.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { serveBrowserClients } from "./clients/serve-clients.ts";
import { createGatewayContext, type GatewayContext } from "./context.ts";
import { corsAllowList } from "./edge/cors.ts";
import { operationLimitsFrom } from "./edge/operation-limits/limits.ts";
import { protectionPlugin } from "./edge/protection-plugin.ts";
import { createRateLimiter } from "./edge/rate-limit/create-limiter.ts";
import { SubgraphDataSource } from "./subgraph-data-source.ts";
import { serveSubscriptions } from "./subscriptions/server.ts";
import { supergraphFromFile } from "./supergraph-file.ts";

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  port: number;
  supergraphPath: string;
  /** Where each subgraph is reached, by name; names the supergraph has but this lacks use the supergraph's URL. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** Where subscription events come from (Redis when the services run as separate processes). */
  pubsub: EventBus;
}

export async function startGateway(options: GatewayOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger.child({ component: "gateway" });
  // @apollo/gateway otherwise probes cloud metadata endpoints and exports usage
  // metrics to Apollo: a self-hosted deployment must make no such calls.
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(options.supergraphPath, logger),
    buildService: ({ name, url }) =>
      new SubgraphDataSource(
        name,
        options.subgraphUrls[name as SubgraphName] ?? url ?? "",
        config.SUBGRAPH_TIMEOUT_MS,
        logger,
      ),
    logger,
  });

  let loaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    loaded = true;
  });
  const app = createHttpApp({
    ready: async () => {
      if (!loaded) throw new Error("supergraph not loaded yet");
    },
  });
  serveBrowserClients(app, logger);
  // req.ip, the anonymous caller's rate-limit key, then comes from X-Forwarded-For as set by that many proxies.
  if (config.TRUST_PROXY_HOPS > 0) app.set("trust proxy", config.TRUST_PROXY_HOPS);
  // Mounted before the port opens, so the first request already finds /graphql.
  const httpServer = createHttpServer(app);
  const apollo = await mountGraphQLEndpoint<GatewayContext>({
    app,
    httpServer,
    config,
    logger,
    executor: { gateway },
    // The bundled partner playground (/playground) replaces Apollo's CDN-loaded landing page.
    landingPage: false,
    middleware: [corsAllowList(config.CORS_ORIGINS)],
    serverOptions: {
      introspection: config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== "production",
      // graphql-js stops parsing past this many tokens: the cheapest limit, checked first.
      parseOptions: { maxTokens: config.MAX_QUERY_TOKENS },
    },
    plugins: [
      protectionPlugin({
        limits: operationLimitsFrom(config),
        limiter: createRateLimiter(config, logger),
        ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
        costPerUnit: config.RATE_LIMIT_COST_PER_UNIT,
      }),
      {
        // Echo the request id so a client can quote it when reporting a problem.
        async requestDidStart({ contextValue }) {
          return {
            async willSendResponse({ response }) {
              response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
            },
          };
        },
      },
    ],
    context: (request) => createGatewayContext(config, logger, request.headers, request.ip ?? request.socket.remoteAddress),
  });
  // Same server and path as queries: ws://host:port/graphql.
  const subscriptions = serveSubscriptions({ httpServer, path: "/graphql", config, logger, pubsub: options.pubsub });
  const { port } = await listen(httpServer, config.HOST, options.port).catch(async (error: unknown) => {
    await subscriptions.dispose();
    await apollo.stop();
    throw error;
  });
  const url = urlOf(config.HOST, port);
  logger.info({ url }, "gateway listening");
  return {
    name: "gateway",
    url,
    port,
    async stop() {
      // WebSockets first: an open socket would keep the HTTP server from ever finishing its drain.
      await subscriptions.dispose();
      await apollo.stop();
    },
  };
}
