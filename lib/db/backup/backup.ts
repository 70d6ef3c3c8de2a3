import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../../config.ts";
import { dumpPGlite, restorePGlite } from "./pglite-backup.ts";
import { dumpPostgres, restorePostgres } from "./postgres-backup.ts";

type BackupConfig = Pick<Config, "DATABASE_URL" | "PGLITE_DATA_DIR" | "BACKUP_DIR">;

/** Where a backup goes when no file is named: BACKUP_DIR/shelfgraph-<kind>-<UTC time>.<ext>. */
export function defaultBackupFile(config: BackupConfig, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return join(config.BACKUP_DIR, config.DATABASE_URL ? `shelfgraph-postgres-${stamp}.dump` : `shelfgraph-pglite-${stamp}.tar.gz`);
}

/** Backs up the configured database (PostgreSQL with DATABASE_URL, else the PGlite folder) to `file`. */
export async function backupDatabase(config: BackupConfig, file = defaultBackupFile(config)): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  if (config.DATABASE_URL) await dumpPostgres(config.DATABASE_URL, file);
  else await dumpPGlite(config.PGLITE_DATA_DIR, file);
  return file;
}

/** Restores `file` into the configured database; for PGlite, returns where the replaced folder was kept. */
export async function restoreDatabase(config: BackupConfig, file: string): Promise<{ previousDataDir: string | null }> {
  if (config.DATABASE_URL) {
    await restorePostgres(config.DATABASE_URL, file);
    return { previousDataDir: null };
  }
  return { previousDataDir: await restorePGlite(config.PGLITE_DATA_DIR, file) };
}
