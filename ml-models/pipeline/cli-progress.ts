import type { Logger } from "../../lib/logger.ts";
import { progressBar, terminalStatusLine } from "../../lib/progress.ts";
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
  const line = terminalStatusLine(stream);
  return {
    stage(name) {
      current = name;
      line.draw(`[${elapsed()}] ${name}…`, true);
    },
    step(name, done, total) {
      line.draw(`[${elapsed()}] ${current} · ${name} ${progressBar(done / total, 24)} ${done}/${total}`, done === total);
    },
    done() {
      line.end(`[${elapsed()}] done`);
    },
  };
}
