/**
 * `npx tsx bench/import.ts [DIR]`: rows per second of `npm run import -- goodbooks`
 * over ../shared/data/goodbooks-10k (or DIR), into a fresh in-memory PGlite and,
 * when DATABASE_URL is set, a fresh PostgreSQL database: the first run (everything
 * inserted) and the second (everything found unchanged, nothing written), with
 * proof that the second run left every imported table identical.
 * BENCH_BATCH_SIZE sets the rows per transaction.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../lib/db/migrate.ts";
import { DEFAULT_BATCH_SIZE, importDataset } from "../prisma/import/importer.ts";
import type { ImportSummary } from "../prisma/import/report.ts";
import { importedTablesState } from "../prisma/import/table-checksum.ts";
import { databaseTargets } from "../test/support/databases.ts";

const directory = process.argv[2] ?? fileURLToPath(new URL("../../shared/data/goodbooks-10k/", import.meta.url));
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? DEFAULT_BATCH_SIZE);

if (!existsSync(directory)) {
  console.error(`no dataset at ${directory}`);
  process.exit(1);
}

const rowsOf = (summary: ImportSummary) => summary.files.reduce((total, file) => total + file.rowsRead, 0);
const writesOf = (summary: ImportSummary) => summary.files.reduce((total, file) => total + file.inserted + file.updated, 0);

function describe(target: string, run: string, summary: ImportSummary): string {
  const perFile = summary.files.map((file) => `${file.file} ${file.rowsPerSecond.toLocaleString("en-US")}/s`).join(", ");
  const overall = Math.round((rowsOf(summary) / summary.elapsedMs) * 1000);
  return `${target.padEnd(8)} ${run.padEnd(6)} ${(summary.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${overall.toLocaleString("en-US").padStart(7)} rows/s overall, ${writesOf(summary).toLocaleString("en-US")} rows written (${perFile})`;
}

console.log(`goodbooks import of ${directory}, batches of ${batchSize} rows`);
for (const target of databaseTargets()) {
  const database = await target.create();
  try {
    await applyMigrations(database.db);
    const first = await importDataset(database.db, { dataset: "goodbooks", directory, reportPath: null, batchSize });
    console.log(describe(target.name, "first", first));
    const before = await importedTablesState(database.db);
    const second = await importDataset(database.db, { dataset: "goodbooks", directory, reportPath: null, batchSize });
    console.log(describe(target.name, "second", second));
    const unchanged = JSON.stringify(await importedTablesState(database.db)) === JSON.stringify(before);
    const counts = Object.entries(before)
      .filter(([, state]) => state.rows > 0)
      .map(([table, state]) => `${table} ${state.rows.toLocaleString("en-US")}`)
      .join(", ");
    console.log(`${"".padEnd(8)} tables: ${counts}; second run ${unchanged && writesOf(second) === 0 ? "changed nothing" : "CHANGED DATA"}`);
  } finally {
    await database.drop();
  }
}
