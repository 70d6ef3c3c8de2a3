import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { Config } from "./config.ts";

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
const member = (field: string) => (/^\w+$/.test(field) ? `.${field}` : `["${field}"]`);
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) =>
  ["", "*", "*.*", "*.*.*"].map((parent) => (parent ? `${parent}${member(field)}` : member(field).replace(/^\./, ""))),
);

/**
 * One pino logger per process; services and requests get children so every line
 * carries `service` and, inside a request, `requestId`.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">, service: string, destination?: DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY && config.NODE_ENV !== "production";
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (destination) return pino(options, destination);
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } });
  // Lines leave through asynchronous writes, so a request never waits on stdout (a
  // slow pipe or collector); lines written meanwhile go out together. Shutdown
  // flushes them (lib/server/shutdown.ts), and pino flushes synchronously on exit.
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
