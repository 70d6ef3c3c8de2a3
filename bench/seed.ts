/**
 * `npx tsx bench/seed.ts`: how long `npm run db:seed` takes at the default size
 * (SEED_BOOKS x SEED_USERS, ≈300k ratings), on in-memory PGlite, on PGlite in a
 * data directory (what `npm start` uses) and, when DATABASE_URL is set, on a
 * scratch PostgreSQL database. Reports the in-memory generation alone, then the
 * full seed (generation + write) per target, with rows written per second.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../lib/config.ts";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { seedOptionsOf } from "../prisma/seed/generate-in-worker.ts";
import { generateDemoData, seedDemoData, type SeedSummary } from "../prisma/seed/index.ts";
import { databaseTargets } from "../test/support/databases.ts";

const config = loadConfig();
const size = seedOptionsOf(config);

interface Target {
  name: string;
  open(): Promise<{ db: Database; dispose(): Promise<void> }>;
}

// The in-memory PGlite and scratch PostgreSQL of the tests, plus PGlite in a data directory as `npm start` uses it.
const targets: Target[] = [
  ...databaseTargets().map((target) => ({
    name: target.name,
    async open() {
      const { db, drop } = await target.create();
      return { db, dispose: drop };
    },
  })),
  {
    name: "pglite (data dir)",
    async open() {
      const dir = await mkdtemp(join(tmpdir(), "shelfgraph-bench-seed-"));
      const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: dir });
      return {
        db,
        async dispose() {
          await db.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

const rowsOf = (summary: SeedSummary) =>
  summary.books + summary.authors + summary.genres + summary.publishers + summary.users + summary.ratings + summary.interactions + summary.bookmarks + summary.readingHistory;
const format = (value: number) => Math.round(value).toLocaleString("en-US");

console.log(`seed benchmark: ${format(size.books)} books, ${format(size.users)} users, seed ${size.seed}`);
const generationStarted = performance.now();
const dataset = generateDemoData(size);
const generationMs = performance.now() - generationStarted;
console.log(
  `  generate (in memory)   ${(generationMs / 1000).toFixed(2)} s  ${format(dataset.ratings.count)} ratings, ${format(dataset.interactions.count)} interactions, heap ${format(process.memoryUsage().heapUsed / 1e6)} MB`,
);

for (const target of targets) {
  const { db, dispose } = await target.open();
  try {
    await applyMigrations(db);
    const summary = await seedDemoData(db, size);
    const seconds = summary.ms / 1000;
    console.log(`  seed ${target.name.padEnd(18)} ${seconds.toFixed(2)} s  ${format(rowsOf(summary))} rows  ${format(rowsOf(summary) / seconds)} rows/s`);
  } finally {
    await dispose();
  }
}
