import type { Server } from "node:http";
import {
  ApolloServer,
  type ApolloServerOptions,
  type ApolloServerOptionsWithGateway,
  type ApolloServerPlugin,
  type BaseContext,
} from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type Express, type Request, type RequestHandler } from "express";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../config.ts";
import { createErrorFormatter } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { graphQLBodyErrors, graphQLUnexpectedErrors } from "./body-errors.ts";
import { markGraphQLMounted } from "./http-server.ts";
import { DatabaseOutageLog, databaseOutagePlugin } from "./plugins/database-outage.ts";
import { requestLoggingPlugin } from "./plugins/request-logging.ts";

/** A gateway as @apollo/server's public API accepts it (the interface package is not a dependency of ours). */
type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>["gateway"];

export interface GraphQLEndpointOptions<Context extends BaseContext & { logger: Logger; requestId?: string }> {
  app: Express;
  httpServer: Server;
  config: Pick<Config, "NODE_ENV">;
  logger: Logger;
  /** A subgraph serves its own schema; the gateway serves the supergraph through its gateway. */
  executor: { schema: GraphQLSchema } | { gateway: GatewayInterface };
  plugins?: ApolloServerPlugin<Context>[];
  /** Apollo's default landing page (development only); false turns it off everywhere. */
  landingPage?: boolean;
  /** Apollo Server settings a service chooses itself (the gateway's introspection and persisted-query store). */
  serverOptions?: Pick<ApolloServerOptions<Context>, "introspection" | "persistedQueries" | "parseOptions">;
  /** Express middleware in front of /graphql (the gateway's CORS). */
  middleware?: RequestHandler[];
  /** Express middleware that needs the parsed body, just before Apollo (the gateway's trusted documents). */
  bodyMiddleware?: RequestHandler[];
  context(request: Request): Promise<Context>;
  /** Where database outages are counted (a metric may read it); one of its own otherwise. */
  databaseOutages?: DatabaseOutageLog;
}

/**
 * Mounts POST /graphql the same way for the gateway and every subgraph: masked
 * unexpected errors, no stack traces, request logging, draining on stop.
 */
export async function mountGraphQLEndpoint<Context extends BaseContext & { logger: Logger; requestId?: string }>(
  options: GraphQLEndpointOptions<Context>,
): Promise<ApolloServer<Context>> {
  const plugins: ApolloServerPlugin<Context>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
    requestLoggingPlugin<Context>(),
    databaseOutagePlugin<Context>(options.databaseOutages ?? new DatabaseOutageLog(options.logger)),
    ...(options.plugins ?? []),
    ...(options.config.NODE_ENV === "production" || options.landingPage === false ? [ApolloServerPluginLandingPageDisabled()] : []),
  ];
  const shared = {
    formatError: createErrorFormatter(options.logger),
    includeStacktraceInErrorResponses: false,
    plugins,
    // The process owns signal handling (lib/server/shutdown.ts) and stops every server in order;
    // Apollo's own handlers would race it and re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    ...options.serverOptions,
  };
  const apollo =
    "schema" in options.executor
      ? new ApolloServer<Context>({ ...shared, schema: options.executor.schema })
      : new ApolloServer<Context>({ ...shared, gateway: options.executor.gateway });
  await apollo.start();
  options.app.use(
    "/graphql",
    ...(options.middleware ?? []),
    express.json({ limit: "1mb" }),
    ...(options.bodyMiddleware ?? []),
    expressMiddleware(apollo, { context: ({ req }) => options.context(req) }),
    graphQLBodyErrors,
    graphQLUnexpectedErrors,
  );
  markGraphQLMounted(options.app);
  return apollo;
}
