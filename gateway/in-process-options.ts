import { resolve } from "node:path";
import type { Runtime } from "../lib/runtime.ts";
import type { GatewayOptions } from "./server.ts";

/** The gateway of a process that runs the subgraphs too (`npm start`, the tests' supergraph): the runtime's settings, logger and bus. */
export function inProcessGatewayOptions(runtime: Runtime, port: number, subgraphUrls: GatewayOptions["subgraphUrls"]): GatewayOptions {
  return { config: runtime.config, logger: runtime.logger, port, supergraphPath: resolve(runtime.config.SUPERGRAPH_PATH), subgraphUrls, pubsub: runtime.pubsub };
}
