import { ApolloGateway } from "@apollo/gateway";
import { buildSchema, printSchema, type GraphQLSchema } from "graphql";
import { subgraphUrl, type Config, type SubgraphName } from "../lib/config.ts";
import type { Logger } from "../lib/logger.ts";
import type { EventBus } from "../lib/pubsub.ts";
import { REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import { createHttpApp, createHttpServer, listen, urlOf } from "../lib/server/http-server.ts";
import { mountGraphQLEndpoint } from "../lib/server/graphql-endpoint.ts";
import { requestMetricsPlugin } from "../lib/server/plugins/request-metrics.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { serveBrowserClients } from "./clients/serve-clients.ts";
import { createGatewayContext, type GatewayContext } from "./context.ts";
import { createAuthenticator } from "./identity/authenticate.ts";
import { createCredentialDirectory } from "./identity/credential-directory.ts";
import { duplicateErrorsPlugin } from "./plugins/duplicate-errors/index.ts";
import { introspectionPolicyPlugin } from "./plugins/introspection-policy/index.ts";
import { createEdge } from "./edge/edge.ts";
import { SubgraphDataSource } from "./subgraph-data-source.ts";
import { requestTracingPlugin } from "../lib/server/plugins/request-tracing.ts";
import { tracerFor } from "../lib/tracing/provider.ts";
import type { PlannedResult } from "./subscriptions/planned-queries.ts";
import { serveSubscriptions } from "./subscriptions/server.ts";
import { checkOperation, operationLimitsFrom } from "./edge/operation-limits/limits.ts";
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
  /**
   * Built, but the port opened only once this settles (the embedded process builds its
   * gateway thread while its subgraphs start): a gateway listening before its subgraphs
   * would take requests it can only fail. Rejected: the start fails with its reason.
   */
  listenWhen?: Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger.child({ component: "gateway" });
  // @apollo/gateway otherwise probes cloud metadata endpoints and exports usage
  // metrics to Apollo: a self-hosted deployment must make no such calls.
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  // Undefined when tracing is off (lib/tracing): no span is ever created then.
  const tracer = tracerFor(config, "gateway");
  const credentials = await createCredentialDirectory({
    usersUrl: options.subgraphUrls.users ?? subgraphUrl(config, "users"),
    internalSecret: config.INTERNAL_SECRET,
    cacheSeconds: config.CREDENTIAL_CACHE_SECONDS,
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    pubsub: options.pubsub,
    logger,
  });
  // What is open so far, closed last first by stop() and when the start fails: a failed start must not leave Redis clients or watchers holding the process.
  const opened: (() => Promise<unknown>)[] = [() => credentials.close()];
  try {
    return await startGatewayServing(options, logger, tracer, credentials, opened);
  } catch (error) {
    for (const close of [...opened].reverse()) await close().catch(() => {});
    throw error;
  }
}

async function startGatewayServing(
  options: GatewayOptions,
  logger: Logger,
  tracer: ReturnType<typeof tracerFor>,
  credentials: Awaited<ReturnType<typeof createCredentialDirectory>>,
  opened: (() => Promise<unknown>)[],
): Promise<RunningService> {
  const { config } = options;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(options.supergraphPath, logger),
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: options.subgraphUrls[name as SubgraphName] ?? url ?? "",
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        logger,
        internalSecret: config.INTERNAL_SECRET,
        tracer,
        onCredentialsRevoked: (events) => events.forEach(credentials.forget),
      }),
    logger,
  });
  const authenticate = createAuthenticator(config, credentials);

  let loaded = false;
  // The API schema (Subscription included) that WebSocket subscriptions are validated and resolved against.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => {
    loaded = true;
    // A copy without the gateway's own field resolvers: subscriptions resolve every field themselves.
    apiSchema = buildSchema(printSchema(update.apiSchema));
  });
  const app = createHttpApp({
    ready: async () => {
      if (!loaded) throw new Error("supergraph not loaded yet");
    },
  });
  serveBrowserClients(app, logger);
  // req.ip, the anonymous caller's rate-limit key, then comes from X-Forwarded-For as set by that many proxies.
  if (config.TRUST_PROXY_HOPS > 0) app.set("trust proxy", config.TRUST_PROXY_HOPS);
  // Limits, rate limits, CORS, persisted queries, response cache: see gateway/edge/.
  const edge = await createEdge(config, logger, options.pubsub);
  opened.push(() => edge.close());
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
    middleware: edge.middleware,
    bodyMiddleware: edge.bodyMiddleware,
    serverOptions: {
      ...edge.serverOptions,
      // Decided per request by introspectionPolicyPlugin (partner keys with the introspection scope).
      introspection: true,
    },
    plugins: [
      requestMetricsPlugin<GatewayContext>("gateway"),
      ...(tracer ? [requestTracingPlugin<GatewayContext>()] : []),
      introspectionPolicyPlugin(config),
      duplicateErrorsPlugin(),
      ...edge.plugins,
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
    context: (request) => createGatewayContext(authenticate, logger, request.headers, request.ip ?? request.socket.remoteAddress, tracer),
  });
  opened.push(() => apollo.stop());
  // Same server and path as queries: ws://host:port/graphql; authenticated and resolved exactly as queries are.
  const subscriptions = serveSubscriptions({
    httpServer,
    path: "/graphql",
    config,
    logger,
    pubsub: options.pubsub,
    schema: () => apiSchema,
    checkOperation: (operation) => void checkOperation(operation, operationLimitsFrom(config)),
    document: (payload) => edge.subscriptionDocument(payload),
    authenticate: async (caller) => (await createGatewayContext(authenticate, logger, caller.headers, caller.address)).viewer,
    executeAs: async (caller, query, variables) => {
      const contextValue = await createGatewayContext(authenticate, logger, caller.headers, caller.address);
      const response = await apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== "single") throw new Error("a planned subscription query answered incrementally");
      return response.body.singleResult as PlannedResult;
    },
  });
  // Opened last, so closed first: an open WebSocket would keep the HTTP server from ever finishing its drain.
  opened.push(() => subscriptions.dispose());
  await options.listenWhen;
  const { port } = await listen(httpServer, config.HOST, options.port);
  const url = urlOf(config.HOST, port);
  logger.info({ url }, "gateway listening");
  return {
    name: "gateway",
    url,
    port,
    async stop() {
      for (const close of [...opened].reverse()) await close();
    },
  };
}
