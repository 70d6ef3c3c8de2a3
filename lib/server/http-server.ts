import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";

export interface HealthChecks {
  /** Throws when the service cannot serve (e.g. its database is unreachable). */
  ready(): Promise<void>;
}

/** A readiness check that has not answered in this long counts as not ready (an unreachable host can hang a connect). */
const READY_CHECK_TIMEOUT_MS = 2_000;
const GRAPHQL_MOUNTED = "graphqlMounted";

/**
 * Express app with the liveness and readiness endpoints every service exposes.
 * Ready means: the GraphQL endpoint is mounted and the service's own checks pass.
 */
export function createHttpApp(health: HealthChecks): Express {
  const app = express();
  app.disable("x-powered-by");
  // Express hashes every res.send body into an ETag; a GraphQL POST answer is never
  // revalidated, so that is a SHA-1 per response for nothing (static files keep theirs).
  app.set("etag", false);
  app.get("/health/live", (_request, response) => {
    response.json({ status: "ok" });
  });
  app.get("/health/ready", async (_request, response) => {
    try {
      if (app.locals[GRAPHQL_MOUNTED] !== true) throw new Error("the GraphQL endpoint is not mounted yet");
      await withTimeout(health.ready(), READY_CHECK_TIMEOUT_MS);
      response.json({ status: "ok" });
    } catch (error) {
      response.status(503).json({ status: "unavailable", reason: (error as Error).message });
    }
  });
  return app;
}

/** Called once /graphql answers: until then readiness is false. */
export function markGraphQLMounted(app: Express): void {
  app.locals[GRAPHQL_MOUNTED] = true;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {});
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`readiness check did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP server of an app, not yet listening: the GraphQL endpoint is mounted on it before the port opens. */
export function createHttpServer(app: Express): Server {
  return createServer(app);
}

/** Opens the port. Pass a server (mounted first) so no request ever meets a half-mounted service. */
export async function listen(appOrServer: Express | Server, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = "listen" in appOrServer && !("use" in appOrServer) ? appOrServer : createServer(appOrServer);
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
