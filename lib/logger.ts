import { pino, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger };

/**
 * One pino logger per process; services and requests get children so every line
 * carries `service` and, inside a request, `requestId`.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">, service: string): Logger {
  const pretty = process.stdout.isTTY && config.NODE_ENV !== "production";
  const options = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: {
      paths: [
        "req.headers.authorization",
        "headers.authorization",
        'req.headers["x-api-key"]',
        'headers["x-api-key"]',
        'headers["x-shelfgraph-identity"]',
        "*.password",
        "*.token",
        "*.accessToken",
        "*.refreshToken",
      ],
      censor: "[redacted]",
    },
  };
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } });
  // Lines leave through asynchronous writes, so a request never waits on stdout (a
  // slow pipe or collector); lines written meanwhile go out together. Shutdown
  // flushes them (lib/server/shutdown.ts), and pino flushes synchronously on exit.
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
