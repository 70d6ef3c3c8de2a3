import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.ts";
import { processMetrics } from "./registry.ts";

export interface MetricsServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * GET /metrics in Prometheus text format on its own port (METRICS_PORT), apart from
 * the public GraphQL port, so scraping needs no route through the API's edge and
 * the numbers are never exposed to clients.
 */
export async function serveMetrics(options: {
  host: string;
  port: number;
  logger: Logger;
  /** Readiness of a process with no HTTP API of its own (GET /health/ready): resolves when ready, throws when not. */
  ready?: () => Promise<void>;
}): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    // Liveness for the processes with no HTTP API of their own (trainer, stream consumers).
    if (request.method === "GET" && path === "/health/live") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      return;
    }
    const { ready } = options;
    if (request.method === "GET" && path === "/health/ready" && ready) {
      ready().then(
        () => response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready"}'),
        (error: unknown) => response.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "not ready", reason: (error as Error).message })),
      );
      return;
    }
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found: metrics are at GET /metrics\n");
      return;
    }
    processMetrics().then(
      ({ text, contentType }) => response.writeHead(200, { "content-type": contentType }).end(text),
      (error: unknown) => {
        options.logger.error({ err: error }, "collecting metrics failed");
        response.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port, path: "/metrics" }, "serving metrics");
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
