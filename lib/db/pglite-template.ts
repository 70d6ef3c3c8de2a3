import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";

/**
 * A new PGlite data directory is made by initdb, seconds of CPU on every fresh install.
 * Its result depends only on the PGlite build, so it is made once (at install time,
 * `npm run db:pglite-template`) and kept as a tarball named after the PGlite version:
 * a fresh directory is then unpacked from it instead. Another PGlite version finds no
 * tarball of its own and runs initdb as before.
 */
const TEMPLATE_FORMAT = 1;

function pglitePackage(): { root: string; version: string } {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  return { root: dir, version };
}

/** Beside the installed packages (node_modules/.cache), so a reinstall of another version leaves it unused. */
export function pgliteTemplatePath(): string {
  const { root, version } = pglitePackage();
  const nodeModules = dirname(dirname(root));
  return join(nodeModules, ".cache", "shelfgraph", `pglite-${version}-datadir-v${TEMPLATE_FORMAT}.tar`);
}

/** Runs initdb once in memory and stores the resulting data directory; returns its path. */
export async function buildPGliteTemplate(path = pgliteTemplatePath()): Promise<string> {
  const pglite = await PGlite.create();
  try {
    const tarball = await pglite.dumpDataDir("none");
    mkdirSync(dirname(path), { recursive: true });
    // Written aside and renamed: a start never reads a half-written tarball.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
    renameSync(partial, path);
    return path;
  } finally {
    await pglite.close();
  }
}

function isNewDirectory(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

/**
 * Opens PGlite on `dataDir`; a directory that does not hold a database yet is unpacked
 * from the template when there is one. A template PGlite cannot load (damaged) leaves
 * the directory as it found it (empty) and initdb runs as without one.
 */
export async function createPGlite(dataDir: string, options: PGliteOptions, template = pgliteTemplatePath()): Promise<{ pglite: PGlite; fromTemplate: boolean }> {
  if (isNewDirectory(dataDir) && existsSync(template)) {
    try {
      const pglite = await PGlite.create(dataDir, { ...options, loadDataDir: new Blob([readFileSync(template)]) });
      return { pglite, fromTemplate: true };
    } catch {
      for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
  }
  return { pglite: await PGlite.create(dataDir, options), fromTemplate: false };
}
