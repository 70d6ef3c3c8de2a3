import cors from "cors";
import type { RequestHandler } from "express";

/**
 * Browsers may call the gateway only from the origins in CORS_ORIGINS (exact
 * matches). Other origins get no CORS headers, so the browser withholds the answer;
 * non-browser clients are unaffected. Apollo's CSRF prevention still applies.
 */
export function corsAllowList(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ["GET", "POST", "OPTIONS"],
    maxAge: 600,
  });
}
