import { resolve } from "node:path";
import { loadConfigOrExit, SUBGRAPH_NAMES, subgraphUrl, type SubgraphName } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { serveMetrics } from "../lib/metrics/metrics-server.ts";
import { createPubSub } from "../lib/pubsub.ts";
import { stopOnSignals } from "../lib/server/shutdown.ts";
import { startTracing } from "../lib/tracing/provider.ts";
import { startGateway } from "./server.ts";

/** The gateway as its own process: it needs no database, only the subgraphs' URLs. */
const config = loadConfigOrExit();
const logger = createLogger(config, "gateway");
const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphUrl(config, name)])) as Record<SubgraphName, string>;
// Subscriptions' events: with REDIS_URL they come from the subgraph processes; without it only this process could publish.
const pubsub = createPubSub(config, logger);
if (pubsub.kind === "memory") logger.warn("no REDIS_URL: subscriptions receive no events from subgraph processes");
try {
  const metrics = await serveMetrics({ host: config.HOST, port: config.METRICS_PORT, logger });
  const tracing = await startTracing(config, "gateway", logger);
  const gateway = await startGateway({
    config,
    logger,
    port: config.GATEWAY_PORT,
    supergraphPath: resolve(config.SUPERGRAPH_PATH),
    subgraphUrls,
    pubsub,
  });
  stopOnSignals(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await gateway.stop();
    await tracing.stop();
    await pubsub.close();
    await metrics.stop();
  });
} catch (error) {
  logger.fatal({ err: error }, "gateway failed to start");
  process.exit(1);
}
