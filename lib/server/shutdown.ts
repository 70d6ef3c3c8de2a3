import type { Logger } from "../logger.ts";

/**
 * Stops cleanly on SIGINT/SIGTERM: in-flight requests finish (Apollo's drain plugin),
 * then connections close. A stop that hangs past the timeout, or a second signal,
 * exits at once so an orchestrator is never left waiting.
 */
const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

export function stopOnSignals(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C under npm/tsx delivers the same signal twice (terminal and relay); only a later one is the user insisting.
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, "second signal, exiting immediately");
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out, exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info("stopped");
        // pino buffers lines; exit only once they are written, or the last ones are lost.
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
