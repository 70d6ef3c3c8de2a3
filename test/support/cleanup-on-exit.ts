/**
 * Synchronous clean-ups (killing a server the test started) run however the test
 * process ends: normally, or by SIGTERM/SIGINT from the test runner's timeout or
 * Ctrl-C, which skip the "exit" event unless handled.
 */
const cleanups = new Set<() => void>();
let installed = false;

export function cleanUpOnExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", runAll);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(1);
      });
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the others must still run.
    }
  }
  cleanups.clear();
}
