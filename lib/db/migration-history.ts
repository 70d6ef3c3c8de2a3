import { randomUUID } from "node:crypto";
import type { SqlConnection } from "./database.ts";
import type { MigrationFile } from "./migration-files.ts";

/**
 * The `_prisma_migrations` table, laid out and filled exactly as Prisma's schema
 * engine does, so `prisma migrate deploy` on a connected machine sees our
 * migrations as its own.
 */
export const MIGRATIONS_TABLE = "_prisma_migrations";

export interface MigrationRecord {
  readonly id: string;
  readonly checksum: string;
  readonly migration_name: string;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly rolled_back_at: Date | null;
  readonly applied_steps_count: number;
  readonly logs: string | null;
}

export async function ensureMigrationsTable(connection: SqlConnection): Promise<void> {
  await connection.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`);
}

export async function readMigrationRecords(connection: SqlConnection): Promise<MigrationRecord[]> {
  return connection.query<MigrationRecord>(
    `SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, applied_steps_count, logs
       FROM "${MIGRATIONS_TABLE}" ORDER BY started_at, migration_name`,
  );
}

/** Prisma counts a migration as applied once it finished and was not rolled back. */
export function isApplied(record: MigrationRecord): boolean {
  return record.finished_at !== null && record.rolled_back_at === null;
}

/** Started but never finished nor marked rolled back: Prisma's P3009 "failed migration". */
export function isFailed(record: MigrationRecord): boolean {
  return record.finished_at === null && record.rolled_back_at === null;
}

/**
 * Records `migration` as applied. Meant to run inside the migration's own
 * transaction: started_at is the transaction's start, finished_at the moment of recording.
 */
export async function recordAppliedMigration(connection: SqlConnection, migration: MigrationFile): Promise<void> {
  await connection.query(
    `INSERT INTO "${MIGRATIONS_TABLE}"
       (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
     VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
    [randomUUID(), migration.checksum, migration.name],
  );
}
