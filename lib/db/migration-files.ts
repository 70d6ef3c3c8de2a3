import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationError } from "./migration-error.ts";

/** prisma/migrations at the repository root, wherever the process was started from. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

export interface MigrationFile {
  /** The directory name, e.g. `20261130000000_init`; Prisma's `migration_name`. */
  readonly name: string;
  readonly script: string;
  readonly checksum: string;
}

/** Every `<dir>/migration.sql` under `migrationsDir`, in lexical (= timestamp) order, as Prisma reads them. */
export async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(`Cannot read the migrations directory ${migrationsDir}: ${(error as Error).message}`);
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const path = join(migrationsDir, name, "migration.sql");
      let script: string;
      try {
        script = await readFile(path, "utf8");
      } catch (error) {
        throw new MigrationError(`Migration ${name} has no readable migration.sql (${(error as Error).message})`, name);
      }
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

/** Prisma's checksum: SHA-256 of the script, lowercase hex. */
export function migrationChecksum(script: string): string {
  return createHash("sha256").update(script).digest("hex");
}

/**
 * Whether `script` is the one that was recorded with `checksum`. Like Prisma, a
 * checkout that only changed line endings (git on Windows) still matches, and so
 * does the unpadded hex that old Prisma versions wrote.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant).digest();
    const rendered = checksum.length === 64 ? digest.toString("hex") : [...digest].map((byte) => byte.toString(16)).join("");
    return rendered === checksum;
  });
}
