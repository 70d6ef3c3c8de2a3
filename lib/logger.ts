import { pino, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger };

/**
 * One pino logger per process; services and requests get children so every line
 * carries `service` and, inside a request, `requestId`.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">, service: string): Logger {
  const pretty = process.stdout.isTTY && config.NODE_ENV !== "production";
  return pino({
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
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  });
}
