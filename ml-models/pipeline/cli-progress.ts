import type { Logger } from "../../lib/logger.ts";
import type { Progress } from "./progress.ts";

/**
 * On a terminal: one status line redrawn in place (stage, a bar for iterative
 * steps, elapsed time). Otherwise: a structured log line per stage, which is what
 * a log collector wants from a cron job.
 */
export function createCliProgress(logger: Logger, stream: NodeJS.WriteStream = process.stderr): Progress & { done(): void } {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  if (!stream.isTTY) {
    return {
      stage: (name, detail) => logger.info({ stage: name, elapsedSeconds: Number(elapsed().slice(0, -1)), ...detail }, name),
      step: (name, done, total) => {
        if (done === total) logger.debug({ stage: name, done, total }, `${name} finished`);
      },
      done: () => {},
    };
  }
  let current = "";
  const draw = (text: string) => stream.write(`\r\x1b[2K${text}`);
  return {
    stage(name) {
      current = name;
      draw(`[${elapsed()}] ${name}…`);
    },
    step(name, done, total) {
      const width = 24;
      const filled = Math.round((done / total) * width);
      draw(`[${elapsed()}] ${current} · ${name} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
    },
    done() {
      draw(`[${elapsed()}] done\n`);
    },
  };
}
