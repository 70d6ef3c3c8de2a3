import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { Config } from "./config.ts";
import { nestedSecretRedactor, REDACTED } from "./log-redaction.ts";

export type { Logger };

/** Fields that hold credentials or personal data: never written, at the top level or up to three objects deep (req.headers.x). */
const SECRET_FIELDS = [
  "password",
  "newPassword",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "apiKey",
  "secret",
  "authorization",
  "cookie",
  "email",
  "x-api-key",
  "x-shelfgraph-identity",
  "set-cookie",
];
const member = (field: string) => (/^\w+$/.test(field) ? field : `["${field}"]`);
/** Top-level fields, for pino's `redact` (exact paths are cheap; it also covers child loggers' bindings). */
export const REDACTED_PATHS = SECRET_FIELDS.map(member);
/** Below the top level, up to three objects deep: one walk per line (lib/log-redaction.ts) instead of pino's wildcard paths. */
const redactNested = nestedSecretRedactor(SECRET_FIELDS, 3);

/** About 10-20 operation lines at a time; small enough that a quiet service's lines are never held for long. */
export const LOG_BUFFER_BYTES = 4096;
/** The longest a buffered line waits when traffic is too low to fill the buffer. */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * One pino logger per process; services and requests get children so every line
 * carries `service` and, inside a request, `requestId`.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">, service: string, destination?: DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY && config.NODE_ENV !== "production";
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { log: redactNested },
  };
  if (destination) return pino(options, destination);
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } });
  // One line per operation stays, but not one write(2) per line: lines gather in the
  // destination's buffer and leave together, asynchronously, once LOG_BUFFER_BYTES have
  // piled up or every LOG_FLUSH_INTERVAL_MS, so a request never waits on stdout (a slow
  // pipe or collector). Shutdown flushes them (lib/server/shutdown.ts); pino flushes
  // synchronously on exit, which covers process.exit after a fatal error and an uncaught exception.
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }));
}
