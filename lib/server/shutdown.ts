import type { Logger } from "../logger.ts";

/**
 * Stops cleanly on SIGINT/SIGTERM: in-flight requests finish (Apollo's drain plugin),
 * then connections close. A stop that hangs past the timeout, or a second signal,
 * exits at once so an orchestrator is never left waiting.
 */
const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

/** Stops the process as a signal would, from within (a part of it failed); it then exits with `exitCode`. */
export type StopProcess = (reason: string, exitCode: number) => void;

export function stopOnSignals(logger: Logger, timeoutMs: number, stop: () => Promise<void>): StopProcess {
  let stoppingSince: number | undefined;
  const stopNow = (fields: Record<string, unknown>, exitCode: number) => {
    stoppingSince = Date.now();
    logger.info(fields, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out, exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info("stopped");
        // pino buffers lines; exit only once they are written, or the last ones are lost.
        logger.flush(() => process.exit(exitCode));
      },
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        logger.flush(() => process.exit(1));
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C under npm/tsx delivers the same signal twice (terminal and relay); only a later one is the user insisting.
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, "second signal, exiting immediately");
      process.exit(1);
    }
    stopNow({ signal }, 0);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return (reason, exitCode) => {
    if (stoppingSince === undefined) stopNow({ reason }, exitCode);
  };
}
