import { MessageChannel } from "node:worker_threads";
import { includeThreadMetrics, type MetricsSnapshot } from "../../lib/metrics/registry.ts";
import { serveEventBusOverPort } from "../../lib/pubsub-over-port.ts";
import { HEAP_LIMIT_MB } from "../../lib/server/heap-limits.ts";
import type { RunningService } from "../../lib/server/subgraph-server.ts";
import { relayWorkerLines } from "../../lib/worker-log.ts";
import type { GatewayOptions } from "../server.ts";
import type { FromGatewayThread, GatewayThreadJob, ToGatewayThread } from "./messages.ts";
import { typeScriptWorker } from "../../lib/typescript-worker.ts";

export interface GatewayThreadOptions extends GatewayOptions {
  /** Told when the thread ends on its own (a crash): the process has no gateway any more. */
  onFailure(error: Error): void;
}

/** How long a metrics scrape waits for the gateway thread before serving without its series. */
const METRICS_TIMEOUT_MS = 2_000;

/**
 * The gateway on a worker thread of this process: the embedded `npm start` runs the
 * four subgraphs, PGlite and inference on the main thread, and the gateway (query
 * planning, the edge, merging subgraph answers, subscriptions) beside it on a second
 * core, as it would be as its own process. It reaches the subgraphs over HTTP as
 * always; its events come through this process's bus, its log lines are written by
 * `options.logger` and its metrics join this process's /metrics.
 */
export async function startGatewayThread(options: GatewayThreadOptions): Promise<RunningService> {
  const events = new MessageChannel();
  const served = serveEventBusOverPort(events.port1, options.pubsub);
  const job: GatewayThreadJob = {
    config: options.config,
    port: options.port,
    supergraphPath: options.supergraphPath,
    subgraphUrls: options.subgraphUrls,
    events: events.port2,
    busKind: options.pubsub.kind,
    holdListen: options.listenWhen !== undefined,
  };
  const worker = typeScriptWorker(new URL("./gateway-thread.ts", import.meta.url), {
    workerData: job,
    transferList: [events.port2],
    // The limit the gateway has as its own process (lib/server/heap-limits.ts), where the process
    // sets none of its own: V8 applies a --max-old-space-size flag to every isolate of the
    // process over a worker's resourceLimits, so under `npm start` (1,536) this thread has that.
    resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB.gateway },
  });
  const logger = options.logger;
  const scrapes = new Map<number, (snapshot: MetricsSnapshot) => void>();
  let nextScrape = 1;
  let stopping = false;
  let started = false;
  let exited = false;
  let stopped: (() => void) | undefined;
  let excludeMetrics: (() => void) | undefined;
  const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
    worker.on("message", (message: FromGatewayThread) => {
      if (message.type === "log") relayWorkerLines(logger, message.lines);
      else if (message.type === "metrics") scrapes.get(message.id)?.(message.snapshot);
      else if (message.type === "listening") resolve(message);
      else if (message.type === "stopped") stopped?.();
      else {
        reject(new Error(message.message));
        if (stopping) stopped?.();
      }
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      exited = true;
      const error = new Error(`the gateway thread exited with code ${code}`);
      reject(error);
      stopped?.();
      // A thread that never listened failed its start, which the caller hears as such.
      if (started && !stopping) {
        excludeMetrics?.();
        logger.fatal({ err: error }, "the gateway thread ended");
        options.onFailure(error);
      }
    });
  });
  worker.on("error", (error) => logger.error({ err: error }, "gateway thread error"));
  options.listenWhen?.then(
    () => worker.postMessage({ type: "listen" } satisfies ToGatewayThread),
    () => worker.postMessage({ type: "stop" } satisfies ToGatewayThread),
  );
  const address = await listening.catch(async (error: unknown) => {
    stopping = true;
    await worker.terminate();
    await served.release();
    throw error;
  });
  started = true;
  excludeMetrics = includeThreadMetrics(
    () =>
      new Promise<MetricsSnapshot>((resolve) => {
        const id = nextScrape++;
        const timer = setTimeout(() => answer([]), METRICS_TIMEOUT_MS);
        function answer(snapshot: MetricsSnapshot) {
          clearTimeout(timer);
          scrapes.delete(id);
          resolve(snapshot);
        }
        scrapes.set(id, answer);
        worker.postMessage({ type: "metrics", id } satisfies ToGatewayThread);
      }),
  );
  return {
    name: "gateway",
    ...address,
    async stop() {
      if (stopping) return;
      stopping = true;
      excludeMetrics?.();
      // The thread drains its requests and closes its sockets; then it is ended (a keep-alive socket would hold it).
      if (!exited) {
        await new Promise<void>((resolve) => {
          stopped = resolve;
          worker.postMessage({ type: "stop" } satisfies ToGatewayThread);
        });
      }
      await worker.terminate();
      await served.release();
    },
  };
}
