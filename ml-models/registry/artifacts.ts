import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  artifactDigest,
  CorruptArtifactError,
  ID_MAPS,
  MANIFEST,
  sha256,
  verifyVersion,
  versionDirectory,
  type ArtifactManifest,
  type ManifestFile,
} from "../../lib/models/artifact-format.ts";
import type { IdMap } from "../data/dataset.ts";
import type { ExportedFile } from "../export/export-model.ts";

export { artifactDigest, CorruptArtifactError, ID_MAPS, MANIFEST, verifyVersion, versionDirectory, type ArtifactManifest, type ManifestFile };

/** The id maps saved beside every model: position = model index, value = database (or file) id. */
export function idMapsJson(users: IdMap, items: IdMap): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ users: users.ids, items: items.ids }));
}

/**
 * Writes a version's files into a staging directory and renames it into place
 * (`<root>/<name>/v<version>`, suffixed if that exists), so a reader never sees half
 * a version and a crash leaves only a `.staging-*` folder.
 */
export async function writeVersion(
  root: string,
  name: string,
  version: number,
  files: readonly ExportedFile[],
  details: Record<string, unknown>,
): Promise<{ path: string; sha256: string; manifest: ArtifactManifest }> {
  const target = versionDirectory(root, name, version);
  const staging = resolve(root, name, `.staging-${version}-${randomBytes(4).toString("hex")}`);
  await mkdir(staging, { recursive: true });
  try {
    const listed: ManifestFile[] = [];
    for (const { file, bytes } of files) {
      await writeFile(join(staging, file), bytes);
      listed.push({ file, sha256: sha256(bytes), bytes: bytes.byteLength });
    }
    const manifest: ArtifactManifest = { name, version, ...details, files: listed };
    await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    // Never replace a directory: another database sharing this artifacts folder (a test, a
    // second environment) may have registered the same name and version.
    const path = existsSync(target) ? `${target}-${randomBytes(4).toString("hex")}` : target;
    await rename(staging, path);
    return { path, sha256: artifactDigest(listed), manifest };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export async function removeVersion(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Staging folders left by a crashed run (old ones only: a run of another database may be writing). */
export async function removeStaleStaging(root: string, name: string, olderThanMs = 3_600_000): Promise<void> {
  const dir = resolve(root, name);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(".staging-"))) {
    const path = join(dir, entry);
    const modified = await stat(path).then((s) => s.mtimeMs, () => Date.now());
    if (Date.now() - modified > olderThanMs) await rm(path, { recursive: true, force: true });
  }
}
