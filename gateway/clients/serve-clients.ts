import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import express, { type Express, type Request } from "express";
import type { Logger } from "../../lib/logger.ts";

/** Paths the browser clients never own: the API, health and metrics endpoints. */
const API_PATHS = /^\/(graphql|health|metrics)(\/|$)/;

function wantsHtml(request: Request): boolean {
  return request.method === "GET" && (request.headers.accept ?? "").includes("text/html");
}

/**
 * Serves the browser clients built into clients/dist (`npm run build:clients`): the
 * reader web app at / (any deep link such as /books/42 gets the app, which routes it)
 * and the partner playground at /playground. Both are bundled: nothing loads from a CDN.
 */
export function serveBrowserClients(app: Express, logger: Logger, distDir = resolve("clients/dist")): void {
  const webIndex = join(distDir, "index.html");
  const playgroundIndex = join(distDir, "playground", "index.html");
  if (!existsSync(webIndex)) {
    logger.warn({ distDir }, "browser clients are not built (npm run build:clients): / and /playground are unavailable");
    return;
  }
  // A browser opening the API itself gets the IDE.
  app.get("/graphql", (request, response, next) => {
    if (wantsHtml(request) && !request.query.query) response.redirect(302, "/playground");
    else next();
  });
  // Hashed file names: safe to cache for a year. HTML is revalidated so a deploy shows at once.
  app.use("/assets", express.static(join(distDir, "assets"), { immutable: true, maxAge: "365d", index: false, fallthrough: false }));
  app.get(["/playground", "/playground/"], (_request, response) => {
    response.setHeader("cache-control", "no-cache");
    response.sendFile(playgroundIndex);
  });
  app.use((request, response, next) => {
    if (!wantsHtml(request) || API_PATHS.test(request.path)) return next();
    response.setHeader("cache-control", "no-cache");
    response.sendFile(webIndex);
  });
}
