import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { cleanUpOnExit } from "./cleanup-on-exit.ts";

/**
 * A service started as its own Node process, the way `npm run start:<service>` runs
 * it. Output lines are kept so tests can wait for a log message; every process is
 * killed when the test process exits, so a failing test never leaves one behind.
 */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Waits for the process to end by itself; resolves with the exit code. */
  exit(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
cleanUpOnExit(() => {
  for (const child of running) child.kill("SIGKILL");
});

export function startServiceProcess(script: string, env: Record<string, string | undefined>): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    // METRICS_PORT 0: each process its own free metrics port unless a test names one.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", NODE_ENV: "test", METRICS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => running.delete(child));
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  return {
    child,
    lines,
    waitForLine(predicate, timeoutMs = 120_000) {
      const already = lines.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${script}: no matching line in ${timeoutMs} ms; last output:\n${lines.slice(-15).join("\n")}`));
        }, timeoutMs);
        const check = (line: string) => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(line);
        };
        waiters.add(check);
        void exited.then((code) => {
          if (!waiters.has(check)) return;
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`${script} exited with ${code} before the expected line; output:\n${lines.slice(-15).join("\n")}`));
        });
      });
    },
    exit: () => exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Matches a pino JSON log line by its message. */
export const logMessage = (message: string) => (line: string) => {
  try {
    return (JSON.parse(line) as { msg?: string }).msg === message;
  } catch {
    return false;
  }
};
