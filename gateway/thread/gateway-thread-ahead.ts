import type { SubgraphName } from "../../lib/config.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { urlOf } from "../../lib/server/http-server.ts";
import type { RunningService } from "../../lib/server/subgraph-server.ts";
import { inProcessGatewayOptions } from "../in-process-options.ts";
import { startGatewayThread } from "./start-gateway-thread.ts";

/** A gateway thread being built before the services it fronts are up; its port stays closed until `open`. */
export interface GatewayThreadAhead {
  /** Opens the port (the services are up) and resolves once it listens. */
  open(): Promise<RunningService>;
  /** The start failed elsewhere: the thread stops without ever listening. */
  abandon(reason: unknown): Promise<void>;
}

/**
 * Starts building the gateway thread now (its modules, the supergraph, the query planner:
 * seconds at every start) on a core of its own, while this thread opens the database and
 * starts the subgraphs on the given ports. A gateway listening before its subgraphs would
 * take requests it can only fail, so its port opens on `open`, as late as when it was
 * started last. Undefined when a port is left to the system (0): the URLs are not known yet.
 */
export function startGatewayThreadAhead(
  runtime: Runtime,
  ports: { gateway: number } & Record<SubgraphName, number>,
  onFailure: (error: Error) => void,
): GatewayThreadAhead | undefined {
  const { gateway: port, ...subgraphPorts } = ports;
  if (Object.values(subgraphPorts).some((subgraphPort) => subgraphPort === 0)) return undefined;
  const subgraphUrls = Object.fromEntries(Object.entries(subgraphPorts).map(([name, subgraphPort]) => [name, urlOf(runtime.config.HOST, subgraphPort)]));
  let release!: { open(): void; abandon(reason: unknown): void };
  const listenWhen = new Promise<void>((open, abandon) => (release = { open, abandon }));
  listenWhen.catch(() => {}); // the thread hears of it; nothing else waits on it
  const started = startGatewayThread({ ...inProcessGatewayOptions(runtime, port, subgraphUrls), listenWhen, onFailure });
  started.catch(() => {}); // reported by open(), or moot after abandon()
  return {
    open() {
      release.open();
      return started;
    },
    async abandon(reason) {
      release.abandon(reason);
      await started.then((gateway) => gateway.stop()).catch(() => {});
    },
  };
}
