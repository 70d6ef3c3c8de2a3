import { readFileSync } from "node:fs";
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "../graphql/resolver-map.ts";
import type { Express } from "express";
import { parse } from "graphql";
import { deny, type IRules } from "graphql-shield";
import { shieldSchema } from "../auth/shield-schema.ts";
import { forbidden } from "../errors.ts";
import type { Runtime } from "../runtime.ts";
import { createRequestContext, type RequestContext } from "./context.ts";
import { createHttpApp, createHttpServer, listen, urlOf } from "./http-server.ts";
import { mountGraphQLEndpoint } from "./graphql-endpoint.ts";
import { operationCacheControlPlugins } from "./plugins/operation-cache-control.ts";
import { requestMetricsPlugin } from "./plugins/request-metrics.ts";
import { requestTracingPlugin } from "./plugins/request-tracing.ts";
import { tracerFor } from "../tracing/provider.ts";

export interface SubgraphDefinition<Context extends RequestContext> {
  name: string;
  /** Path of the subgraph's schema.graphql. */
  schemaPath: URL;
  resolvers: GraphQLResolverMap<Context>;
  /** graphql-shield rules (lib/auth/rules.ts); anything not listed is denied. */
  permissions: IRules;
  /** Adds the subgraph's own per-request state (DataLoaders) to the base context. */
  extendContext(base: RequestContext): Context;
  /** Apollo Server plugins of the subgraph's own, after the shared ones (metrics, tracing). */
  plugins?: ApolloServerPlugin<Context>[];
  /**
   * Long-lived state the subgraph owns (model sessions, worker threads, event
   * subscriptions): started before the subgraph serves, stopped after it has drained.
   * It may add routes (e.g. /metrics) to the service's HTTP app, and a readiness
   * check (throws while it cannot serve as intended, e.g. models not loaded yet).
   */
  start?(runtime: Runtime, app: Express): Promise<{ stop(): Promise<void>; ready?(): void | Promise<void> }>;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The one way every subgraph is served: schema, permissions, context, health, shutdown. */
export async function startSubgraphServer<Context extends RequestContext>(
  definition: SubgraphDefinition<Context>,
  runtime: Runtime,
  port: number,
): Promise<RunningService> {
  const { config } = runtime;
  const logger = runtime.logger.child({ subgraph: definition.name });
  // Undefined when tracing is off (lib/tracing): no request span is ever created then.
  const tracer = tracerFor(config, definition.name);
  // The subgraph's own Prisma client over the shared database, so its SQL statements are counted apart.
  const serviceRuntime: Runtime = { ...runtime, logger, db: { ...runtime.db, prisma: runtime.db.clientFor(definition.name).prisma } };
  const typeDefs = parse(readFileSync(definition.schemaPath, "utf8"));
  const schema = shieldSchema(
    buildSubgraphSchema({ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }),
    definition.permissions,
    // Deny by default: a field added without a rule is closed, not silently open.
    {
      allowExternalErrors: true,
      fallbackRule: deny,
      fallbackError: () => forbidden("This field is not open to you"),
    },
  );

  let owned: Awaited<ReturnType<NonNullable<SubgraphDefinition<Context>["start"]>>> | undefined;
  const app = createHttpApp({
    ready: async () => {
      await runtime.db.withConnection((connection) => connection.query("SELECT 1"));
      await owned?.ready?.();
    },
  });
  owned = definition.start ? await definition.start(serviceRuntime, app) : undefined;
  // Mounted before the port opens: a restarted subgraph never answers 404 on /graphql.
  const httpServer = createHttpServer(app);
  const apollo = await mountGraphQLEndpoint<Context>({
    app,
    httpServer,
    config,
    logger,
    executor: { schema },
    // Traces are for Apollo's hosted Studio, which this deployment does not use.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ...operationCacheControlPlugins<Context>(schema),
      requestMetricsPlugin<Context>(definition.name),
      ...(tracer ? [requestTracingPlugin<Context>()] : []),
      ...(definition.plugins ?? []),
    ],
    context: async (request) => definition.extendContext(await createRequestContext(serviceRuntime, request.headers, tracer)),
  });
  const { port: boundPort } = await listen(httpServer, config.HOST, port).catch(async (error: unknown) => {
    await apollo.stop();
    await owned?.stop();
    throw error;
  });

  const url = urlOf(config.HOST, boundPort);
  logger.info({ url }, "subgraph listening");
  return {
    name: definition.name,
    url,
    port: boundPort,
    async stop() {
      await apollo.stop();
      await owned?.stop();
    },
  };
}
