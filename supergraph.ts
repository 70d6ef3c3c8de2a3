import { startGateway } from "./gateway/server.ts";
import { startGatewayThread } from "./gateway/thread/start-gateway-thread.ts";
import type { GatewayThreadAhead } from "./gateway/thread/gateway-thread-ahead.ts";
import { inProcessGatewayOptions } from "./gateway/in-process-options.ts";
import type { SubgraphName } from "./lib/config.ts";
import type { Runtime } from "./lib/runtime.ts";
import { startStreamRoles, STREAM_ROLES, type StreamRole } from "./lib/stream/roles/index.ts";
import { startSubgraphServer, type RunningService } from "./lib/server/subgraph-server.ts";
import { booksSubgraph } from "./subgraphs/books/subgraph.ts";
import { experimentsSubgraph } from "./subgraphs/experiments/subgraph.ts";
import { recommendationsSubgraph } from "./subgraphs/recommendations/subgraph.ts";
import { usersSubgraph } from "./subgraphs/users/subgraph.ts";
import { startTracing } from "./lib/tracing/provider.ts";

/**
 * The whole supergraph in one process, sharing one runtime (database, cache,
 * pub/sub, stream): the embedded `npm start` (its gateway on a thread of its own)
 * and the end-to-end tests, with the stream's consumer roles. Each service still
 * listens on its own port and the gateway reaches them over HTTP, exactly as when
 * they run as separate processes.
 */
export interface SupergraphPorts {
  gateway: number;
  users: number;
  books: number;
  recommendations: number;
  experiments: number;
}

export interface RunningSupergraph {
  gateway: RunningService;
  subgraphs: Record<SubgraphName, RunningService>;
  stop(): Promise<void>;
}

export interface SupergraphOptions {
  /** The stream consumers run in this process (all by default; none when they run as their own processes). */
  streamRoles?: readonly StreamRole[];
  /**
   * The gateway on a worker thread of its own (the embedded `npm start`): it then plans,
   * merges and answers on a second core while the subgraphs, PGlite and inference keep
   * the main thread. Told here if that thread ends on its own.
   */
  gatewayThread?: { onFailure(error: Error): void };
  /** That thread, already being built (`npm start` begins it before the database is ready): its port opens once the rest is up. */
  gatewayAhead?: GatewayThreadAhead;
}

export async function startSupergraph(runtime: Runtime, ports: SupergraphPorts, options: SupergraphOptions = {}): Promise<RunningSupergraph> {
  // Before any service: each takes its tracer (or none, tracing off) when it starts.
  const tracing = await startTracing(runtime.config, "shelfgraph", runtime.logger);
  const started: { stop(): Promise<void> }[] = [tracing];
  try {
    const subgraphs = {
      users: await startSubgraphServer(usersSubgraph, runtime, ports.users),
      books: await startSubgraphServer(booksSubgraph, runtime, ports.books),
      recommendations: await startSubgraphServer(recommendationsSubgraph, runtime, ports.recommendations),
      experiments: await startSubgraphServer(experimentsSubgraph, runtime, ports.experiments),
    };
    started.push(...Object.values(subgraphs));
    const consumers = await startStreamRoles(runtime, options.streamRoles ?? STREAM_ROLES);
    started.push(consumers);
    const gatewayOptions = inProcessGatewayOptions(runtime, ports.gateway, Object.fromEntries(Object.entries(subgraphs).map(([name, service]) => [name, service.url])));
    const gateway = options.gatewayAhead
      ? await options.gatewayAhead.open()
      : options.gatewayThread
        ? await startGatewayThread({ ...gatewayOptions, onFailure: options.gatewayThread.onFailure })
        : await startGateway(gatewayOptions);
    started.push(gateway);
    return {
      gateway,
      subgraphs,
      async stop() {
        await gateway.stop();
        await consumers.stop();
        await Promise.all(Object.values(subgraphs).map((service) => service.stop()));
        await tracing.stop();
      },
    };
  } catch (error) {
    await Promise.allSettled([...started.map((service) => service.stop()), options.gatewayAhead?.abandon(error)]);
    throw error;
  }
}
