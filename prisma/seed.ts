// `npm run db:seed -- [--books N] [--users M] [--seed S] [--as-of YYYY-MM-DD] [--force]`:
// generates the deterministic demo catalogue and writes it to the configured database
// (PostgreSQL when DATABASE_URL is set, else PGlite under PGLITE_DATA_DIR).
import { loadConfig, type Config } from "../lib/config.ts";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { createLogger } from "../lib/logger.ts";
import { describeSummary, parseSeedCommand, USAGE, UsageError, type SeedCommand } from "./seed/command-line.ts";
import { MissingSchemaError, SeedRefusedError, seedDemoData } from "./seed/index.ts";

async function main(): Promise<number> {
  let config: Config;
  let command: SeedCommand | "help";
  try {
    config = loadConfig();
    command = parseSeedCommand(process.argv.slice(2), config);
  } catch (error) {
    console.error((error as Error).message);
    if (error instanceof UsageError) console.error(`\n${USAGE}`);
    return 2;
  }
  if (command === "help") {
    console.log(USAGE);
    return 0;
  }

  const logger = createLogger(config, "seed");
  const target = config.DATABASE_URL ? `postgres://${new URL(config.DATABASE_URL).host}${new URL(config.DATABASE_URL).pathname}` : `pglite:${config.PGLITE_DATA_DIR}`;
  let db: Database | undefined;
  try {
    db = await openDatabase(config);
    const summary = await seedDemoData(db, { ...command, logger });
    console.log(describeSummary(summary, target));
    return 0;
  } catch (error) {
    if (error instanceof SeedRefusedError || error instanceof MissingSchemaError) {
      console.error(error.message);
      return 1;
    }
    logger.error({ target, err: error }, `seeding failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}

process.exitCode = await main();
