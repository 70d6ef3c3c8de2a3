// `npm run db:migrate`: applies pending migrations to the configured database
// (PostgreSQL when DATABASE_URL is set, else PGlite under PGLITE_DATA_DIR).
import { loadConfigOrExit } from "../lib/config.ts";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createLogger, type Logger } from "../lib/logger.ts";

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, "migrate");
  const target = config.DATABASE_URL ? describePostgres(config.DATABASE_URL) : `pglite:${config.PGLITE_DATA_DIR}`;
  let db: Database | undefined;
  try {
    db = await openDatabase(config);
    const { applied, alreadyApplied } = await applyMigrations(db, { logger });
    logger.info(
      { target, applied, alreadyApplied },
      applied.length === 0 ? "database is up to date, no migration to apply" : `applied ${applied.length} migration(s)`,
    );
    return 0;
  } catch (error) {
    logger.error({ target, err: error }, `migration failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await db?.close().catch((error: unknown) => logFailedClose(logger, error));
  }
}

/** Which server and database, never the password. */
function describePostgres(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `postgres://${url.host}${url.pathname}`;
}

function logFailedClose(logger: Logger, error: unknown): void {
  logger.warn({ err: error }, "closing the database failed");
}

process.exitCode = await main();
