// `npm run import -- <goodbooks|bookcrossing> DIR [--report FILE] [--batch-size N]`:
// imports a public dataset into the configured database (PostgreSQL when
// DATABASE_URL is set, else PGlite under PGLITE_DATA_DIR), migrating it first.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../lib/config.ts";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createLogger } from "../lib/logger.ts";
import { DATASETS, DEFAULT_BATCH_SIZE, importDataset, type DatasetName } from "./import/importer.ts";
import { periodicProgress, terminalProgress } from "./import/progress.ts";
import { formatSummary } from "./import/summary-format.ts";

const USAGE = `usage: npm run import -- <${DATASETS.join("|")}> DIR [--report FILE] [--batch-size N]

  goodbooks     DIR holds books.csv (required), tags.csv, book_tags.csv, ratings.csv, to_read.csv
  bookcrossing  DIR holds BX-Books.csv, BX-Users.csv, BX-Book-Ratings.csv
  --report      JSON lines file of every skipped row and dropped field
                (default data/import-reports/<dataset>-<time>.jsonl; its summary is <file>.summary.json)
  --batch-size  rows per transaction (default ${DEFAULT_BATCH_SIZE})`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { report: { type: "string" }, "batch-size": { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [dataset, directory, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const batchSize = Number(parsed.values["batch-size"] ?? DEFAULT_BATCH_SIZE);
  if (!DATASETS.includes(dataset as DatasetName) || !directory || extra.length > 0 || !Number.isInteger(batchSize) || batchSize < 1) {
    console.error(USAGE);
    return 2;
  }

  const config = loadConfigOrExit();
  const logger = createLogger(config, "import");
  const reportPath = parsed.values.report ?? `data/import-reports/${dataset}-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
  const progress = process.stderr.isTTY ? terminalProgress() : periodicProgress((message) => logger.info(message));
  let db: Database | undefined;
  try {
    db = await openDatabase(config);
    await applyMigrations(db, { logger });
    const summary = await importDataset(db, { dataset: dataset as DatasetName, directory, reportPath, progress, batchSize });
    await writeFile(`${reportPath}.summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(formatSummary(summary));
    return 0;
  } catch (error) {
    logger.error({ err: error }, `import failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await db?.close().catch((error: unknown) => logger.warn({ err: error }, "closing the database failed"));
  }
}

process.exitCode = await main();
