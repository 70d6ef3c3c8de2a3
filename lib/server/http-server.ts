import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";

export interface HealthChecks {
  /** Throws when the service cannot serve (e.g. its database is unreachable). */
  ready(): Promise<void>;
}

/** Express app with the liveness and readiness endpoints every service exposes. */
export function createHttpApp(health: HealthChecks): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/health/live", (_request, response) => {
    response.json({ status: "ok" });
  });
  app.get("/health/ready", async (_request, response) => {
    try {
      await health.ready();
      response.json({ status: "ok" });
    } catch (error) {
      response.status(503).json({ status: "unavailable", reason: (error as Error).message });
    }
  });
  return app;
}

export async function listen(app: Express, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export const urlOf = (host: string, port: number, path = "/graphql") =>
  `http://${host === "0.0.0.0" || host === "::" ? "localhost" : host}:${port}${path}`;
