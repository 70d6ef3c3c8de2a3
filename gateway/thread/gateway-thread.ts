import { parentPort, workerData } from "node:worker_threads";
import { registry } from "../../lib/metrics/registry.ts";
import { eventBusOverPort } from "../../lib/pubsub-over-port.ts";
import { startTracing } from "../../lib/tracing/provider.ts";
import { workerLogger } from "../../lib/worker-log.ts";
import { startGateway } from "../server.ts";
import type { FromGatewayThread, GatewayThreadJob, ToGatewayThread } from "./messages.ts";

/**
 * The gateway on a worker thread of the embedded process (gateway/thread/start-gateway-thread.ts):
 * the same gateway as its own process, its events through the process's bus, its log
 * lines and metrics handed to the main thread, which owns stdout and /metrics.
 */
const job = workerData as GatewayThreadJob;
const send = (message: FromGatewayThread) => parentPort!.postMessage(message);
const log = workerLogger(job.config.LOG_LEVEL, (lines) => send({ type: "log", lines }));
/** The lines logged before a message reach the process before it. */
const post = (message: Exclude<FromGatewayThread, { type: "log" }>) => {
  log.flush();
  send(message);
};

const pubsub = eventBusOverPort(job.events, job.busKind);
// A stop before the port opened ends the start instead.
const told = new Promise<ToGatewayThread["type"]>((resolve) => {
  const first = (message: ToGatewayThread) => {
    if (message.type === "metrics") return;
    parentPort!.off("message", first);
    resolve(message.type);
  };
  if (job.holdListen) parentPort!.on("message", first);
});
const listenWhen = job.holdListen
  ? told.then((type) => {
      if (type !== "listen") throw new Error("stopped before the subgraphs were up");
    })
  : undefined;
try {
  const tracing = await startTracing(job.config, "shelfgraph", log.logger);
  const gateway = await startGateway({
    config: job.config,
    logger: log.logger,
    port: job.port,
    supergraphPath: job.supergraphPath,
    subgraphUrls: job.subgraphUrls,
    pubsub,
    ...(listenWhen ? { listenWhen } : {}),
  });
  parentPort!.on("message", (message: ToGatewayThread) => {
    if (message.type === "metrics") {
      registry.getMetricsAsJSON().then((snapshot) => send({ type: "metrics", id: message.id, snapshot }));
      return;
    }
    Promise.allSettled([gateway.stop().finally(() => tracing.stop())]).then(async ([stopped]) => {
      await pubsub.close();
      post(stopped!.status === "fulfilled" ? { type: "stopped" } : { type: "failed", message: String((stopped as PromiseRejectedResult).reason) });
    });
  });
  post({ type: "listening", url: gateway.url, port: gateway.port });
} catch (error) {
  await pubsub.close();
  post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
}
