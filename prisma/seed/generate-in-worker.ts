import { existsSync, readdirSync } from "node:fs";
import type { Config } from "../../lib/config.ts";
import type { DemoDataOptions, WritableDemoDataset } from "./dataset.ts";
import { typeScriptWorker } from "../../lib/typescript-worker.ts";

/** Generates the demo dataset on a worker thread (the same data as `generateDemoData` in this thread). */
export function generateDemoDataInWorker(options: DemoDataOptions): Promise<WritableDemoDataset> {
  const generated = new Promise<WritableDemoDataset>((resolve, reject) => {
    const worker = typeScriptWorker(new URL("./generate-worker.ts", import.meta.url), { workerData: options });
    worker.once("message", (dataset: WritableDemoDataset) => resolve(dataset));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`demo data worker exited with code ${code}`)));
  });
  // Unused (the database had data after all) a failure must not surface as an unhandled rejection.
  generated.catch(() => {});
  return generated;
}

/**
 * `npm start` on an embedded database that does not exist yet will seed it: the demo
 * data is generated on a worker thread while PGlite initialises its data directory and
 * the migrations run (on two cores those overlap). Anything else (PostgreSQL, whose
 * freshness is known only once connected; an existing directory) gets null.
 */
export function pregenerateForFreshInstall(config: Pick<Config, "DATABASE_URL" | "PGLITE_DATA_DIR" | "SEED_BOOKS" | "SEED_USERS" | "SEED_RANDOM_SEED">): Promise<WritableDemoDataset> | null {
  if (config.DATABASE_URL || config.PGLITE_DATA_DIR.startsWith("memory://")) return null;
  if (existsSync(config.PGLITE_DATA_DIR) && readdirSync(config.PGLITE_DATA_DIR).length > 0) return null;
  return generateDemoDataInWorker(seedOptionsOf(config));
}

/** The demo data `npm start` seeds, as configured. */
export const seedOptionsOf = (config: Pick<Config, "SEED_BOOKS" | "SEED_USERS" | "SEED_RANDOM_SEED">): DemoDataOptions => ({
  books: config.SEED_BOOKS,
  users: config.SEED_USERS,
  seed: config.SEED_RANDOM_SEED,
});
