import { existsSync, readdirSync, renameSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

/**
 * The embedded database's data folder as one gzipped tarball, taken through PGlite
 * itself (it checkpoints and archives its own files), so the copy is consistent.
 * PGlite has a single owner: stop `npm start` first, or this fails to open the folder.
 */
export async function dumpPGlite(dataDir: string, file: string): Promise<void> {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) throw new Error(`no PGlite database in ${dataDir}`);
  const pglite = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  try {
    const archive = await pglite.dumpDataDir("gzip");
    await writeFile(file, Buffer.from(await archive.arrayBuffer()));
  } finally {
    await pglite.close();
  }
}

/**
 * Recreates the data folder from a backup. The current folder is kept beside it
 * (`<dir>.before-restore-<time>`) rather than deleted, so a wrong restore is undone
 * by moving it back. Returns where the previous folder went, if there was one.
 */
export async function restorePGlite(dataDir: string, file: string): Promise<string | null> {
  const archive = new Blob([await readFile(file)]);
  let keptAt: string | null = null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    keptAt = `${dataDir.replace(/\/+$/, "")}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(dataDir, keptAt);
  }
  const pglite = await PGlite.create(dataDir, { extensions: { pg_trgm }, loadDataDir: archive });
  try {
    await pglite.query("SELECT 1");
  } finally {
    await pglite.close();
  }
  return keptAt;
}
