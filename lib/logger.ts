import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { Config } from "./config.ts";
import { redactSecrets } from "./log-redaction.ts";

export type { Logger };

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
    // Secrets are censored in every line's fields (and children's bindings, below): lib/log-redaction.ts.
    formatters: { log: redactSecrets },
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  };
  return redactingChildren(pino(options, destination ?? (pretty ? undefined : bufferedStdout())));
}

/**
 * One line per operation stays, but not one write(2) per line: lines gather in the
 * destination's buffer and leave together, asynchronously, once LOG_BUFFER_BYTES have
 * piled up or every LOG_FLUSH_INTERVAL_MS, so a request never waits on stdout (a slow
 * pipe or collector). Shutdown flushes them (lib/server/shutdown.ts); pino flushes
 * synchronously on exit, which covers process.exit after a fatal error and an uncaught exception.
 * An exit that comes while a buffered write is under way writes the rest first and that
 * write after it (sonic-boom's flushSync does not wait for it: pinojs/sonic-boom#101), so
 * the last lines of a crashed process can come out of order; each carries its `time`.
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
}

/**
 * pino formats a child's bindings with no formatter of ours, so they are censored on the
 * way in; every child (and its children) inherits this `child` from the root.
 */
function redactingChildren(logger: Logger): Logger {
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, options) {
    return pinoChild.call(this, redactSecrets(bindings), options);
  } as Logger["child"];
  return logger;
}
