import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Config, SubgraphName } from "../lib/config.ts";
import { createErrorFormatter } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { REQUEST_ID_HEADER } from "../lib/server/headers.ts";
import { createHttpApp, listen, urlOf } from "../lib/server/http-server.ts";
import { requestLoggingPlugin } from "../lib/server/plugins/request-logging.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { createGatewayContext, type GatewayContext } from "./context.ts";
import { SubgraphDataSource } from "./subgraph-data-source.ts";
import { supergraphFromFile } from "./supergraph-file.ts";

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  port: number;
  supergraphPath: string;
  /** Where each subgraph is reached, by name; names the supergraph has but this lacks use the supergraph's URL. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
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
  const { server: httpServer, port } = await listen(app, config.HOST, options.port);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      requestLoggingPlugin<GatewayContext>(),
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
      ...(config.NODE_ENV === "production" ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: ({ req }) => createGatewayContext(config, logger, req.headers),
    }),
  );
  const url = urlOf(config.HOST, port);
  logger.info({ url }, "gateway listening");
  return {
    name: "gateway",
    url,
    port,
    async stop() {
      await apollo.stop();
    },
  };
}
