import { existsSync } from "node:fs";
import { Worker, type WorkerOptions } from "node:worker_threads";

const FROM_SOURCE = new URL("./typescript-worker-entry.mjs", import.meta.url);

/**
 * A worker thread running the TypeScript module `entry` (a `new URL("./x.ts", import.meta.url)`).
 * Compiled (dist/), the module's JavaScript sits beside it and runs as is; from source
 * the thread registers tsx first, since a worker does not always inherit its parent's
 * TypeScript loader (node --test does not pass it on).
 */
export function typeScriptWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const compiled = new URL(entry.href.replace(/\.ts$/, ".js"));
  if (existsSync(compiled)) return new Worker(compiled, options);
  return new Worker(FROM_SOURCE, { ...options, argv: [entry.href] });
}
