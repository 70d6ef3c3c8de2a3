import { Writable } from "node:stream";
import { pino, type Level } from "pino";
import { LOG_BUFFER_BYTES, LOG_FLUSH_INTERVAL_MS, type Logger } from "./logger.ts";

/**
 * Logging from a worker thread: the worker's pino writes JSON lines into a buffer that
 * goes to the parent a batch at a time (the same LOG_BUFFER_BYTES / LOG_FLUSH_INTERVAL_MS
 * as the process's stdout), and the parent writes each line through its own logger. So
 * the process keeps one writer of stdout (no lines of two threads interleaved mid-line),
 * one format (pretty on a terminal), and the worker's fields (component, requestId,
 * traceId) on each line.
 */
export interface WorkerLogger {
  readonly logger: Logger;
  /** Hands over what is buffered now (before the worker ends). */
  flush(): void;
}

/** The worker side: a logger (no base fields: the parent's logger adds its own) whose lines go to `post`. */
export function workerLogger(level: string, post: (lines: string) => void): WorkerLogger {
  let buffered = "";
  const flush = () => {
    if (buffered === "") return;
    const lines = buffered;
    buffered = "";
    post(lines);
  };
  const timer = setInterval(flush, LOG_FLUSH_INTERVAL_MS);
  timer.unref();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      buffered += String(chunk);
      if (buffered.length >= LOG_BUFFER_BYTES) flush();
      done();
    },
  });
  return { logger: pino({ level, base: undefined }, destination), flush };
}

const LEVELS: Record<number, Level> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** The parent side: each line of a batch logged by `logger` at the worker's level, with the worker's fields. */
export function relayWorkerLines(logger: Logger, lines: string): void {
  for (const line of lines.split("\n")) {
    if (line === "") continue;
    try {
      const { level, msg, time: _time, ...fields } = JSON.parse(line) as { level: number; msg?: string; time?: number };
      logger[LEVELS[level] ?? "info"](fields, msg ?? "");
    } catch {
      logger.info({ line }, "worker output");
    }
  }
}
