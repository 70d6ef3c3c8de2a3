import type { Logger } from "../logger.ts";
import { withAdvisoryLock } from "./advisory-lock.ts";
import type { Database, SqlConnection } from "./database.ts";
import { MigrationError } from "./migration-error.ts";
import { withTransaction } from "./transaction.ts";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles, scriptMatchesChecksum, type MigrationFile } from "./migration-files.ts";
import {
  ensureMigrationsTable,
  isApplied,
  isFailed,
  MIGRATIONS_TABLE,
  readMigrationRecords,
  recordAppliedMigration,
  type MigrationRecord,
} from "./migration-history.ts";

export { MigrationError };

/** The advisory lock key Prisma's schema engine takes, so our runner and `prisma migrate` exclude each other too. */
export const MIGRATION_LOCK_KEY = 72707369;

export interface ApplyMigrationsOptions {
  /** Defaults to prisma/migrations of this repository. */
  migrationsDir?: string;
  logger?: Logger;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations this run applied, in order. */
  applied: string[];
  /** How many of the local migrations were already applied before this run. */
  alreadyApplied: number;
}

// PGlite's single session makes the advisory lock re-entrant, so concurrent
// callers on one handle are queued here before they reach the database.
const runsInProgress = new WeakMap<Database, Promise<unknown>>();

/**
 * Applies the pending migrations of `migrationsDir` the way `prisma migrate deploy`
 * does, without Prisma's native engine: each in its own transaction, recorded in
 * `_prisma_migrations`, the whole run under Prisma's advisory lock. Refuses to run
 * when the history shows a failed migration or one edited after it was applied.
 */
export async function applyMigrations(db: Database, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const migrations = await readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const previous = runsInProgress.get(db) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => db.withConnection((connection) => migrateLocked(connection, migrations, options.logger)));
  runsInProgress.set(db, run);
  try {
    return await run;
  } finally {
    if (runsInProgress.get(db) === run) runsInProgress.delete(db);
  }
}

async function migrateLocked(
  connection: SqlConnection,
  migrations: MigrationFile[],
  logger: Logger | undefined,
): Promise<ApplyMigrationsResult> {
  return withAdvisoryLock(
    connection,
    MIGRATION_LOCK_KEY,
    async () => {
      // Read the history only once we hold the lock: whoever held it before may have just applied everything.
      await ensureMigrationsTable(connection);
      const records = await readMigrationRecords(connection);
      checkHistory(migrations, records, logger);

      const appliedNames = new Set(records.filter(isApplied).map((record) => record.migration_name));
      const pending = migrations.filter((migration) => !appliedNames.has(migration.name));
      const alreadyApplied = migrations.length - pending.length;
      const applied: string[] = [];
      for (const migration of pending) {
        const startedAt = performance.now();
        await applyOne(connection, migration);
        applied.push(migration.name);
        logger?.info({ migration: migration.name, durationMs: Math.round(performance.now() - startedAt) }, "applied migration");
      }
      return { applied, alreadyApplied };
    },
    () => logger?.info("another process is migrating this database; waiting for it to finish"),
  );
}

function checkHistory(migrations: MigrationFile[], records: MigrationRecord[], logger: Logger | undefined): void {
  const failed = records.find(isFailed);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} is recorded as failed in ${MIGRATIONS_TABLE} (started ${failed.started_at.toISOString()}, never finished). ` +
        `Repair the database by hand, then mark it with \`prisma migrate resolve --rolled-back ${failed.migration_name}\` ` +
        `(or --applied) before migrating again.`,
      failed.migration_name,
    );
  }
  const files = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const record of records.filter(isApplied)) {
    const file = files.get(record.migration_name);
    if (!file) {
      logger?.warn({ migration: record.migration_name }, "migration recorded in the database is missing from the migrations directory");
      continue;
    }
    if (!scriptMatchesChecksum(file.script, record.checksum)) {
      throw new MigrationError(
        `Migration ${record.migration_name} was modified after it was applied: ${MIGRATIONS_TABLE} has checksum ${record.checksum}, ` +
          `the file now hashes to ${file.checksum}. Restore the applied migration.sql and put the change in a new migration.`,
        record.migration_name,
      );
    }
  }
}

async function applyOne(connection: SqlConnection, migration: MigrationFile): Promise<void> {
  try {
    await withTransaction(connection, async () => {
      await connection.exec(migration.script);
      await recordAppliedMigration(connection, migration);
    });
  } catch (error) {
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back, nothing of it was applied: ${(error as Error).message}`,
      migration.name,
      { cause: error },
    );
  }
}
