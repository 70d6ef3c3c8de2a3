import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { IdMap } from "../data/dataset.ts";
import type { ExportedFile } from "../export/export-model.ts";

export const MANIFEST = "manifest.json";
export const ID_MAPS = "id-maps.json";

export interface ManifestFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ArtifactManifest {
  readonly name: string;
  readonly version: number;
  readonly files: ManifestFile[];
  readonly [key: string]: unknown;
}

export class CorruptArtifactError extends Error {
  constructor(path: string, detail: string) {
    super(`model artifact at ${path} is corrupt: ${detail}`);
    this.name = "CorruptArtifactError";
  }
}

/** The id maps saved beside every model: position = model index, value = database (or file) id. */
export function idMapsJson(users: IdMap, items: IdMap): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ users: users.ids, items: items.ids }));
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** One digest for a whole version: over the sorted "file sha256" lines of its manifest. */
export function artifactDigest(files: readonly ManifestFile[]): string {
  return sha256(
    [...files]
      .sort((a, b) => a.file.localeCompare(b.file))
      .map((f) => `${f.file} ${f.sha256}\n`)
      .join(""),
  );
}

export function versionDirectory(root: string, name: string, version: number): string {
  return resolve(root, name, `v${version}`);
}

/**
 * Writes a version's files into a staging directory and renames it into place, so
 * a reader never sees half a version and a crash leaves only a `.staging-*` folder.
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
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return { path: target, sha256: artifactDigest(listed), manifest };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Re-hashes every file of a version against its manifest and the registry's digest. */
export async function verifyVersion(path: string, expectedDigest: string): Promise<ArtifactManifest> {
  let manifest: ArtifactManifest;
  try {
    manifest = JSON.parse(await readFile(join(path, MANIFEST), "utf8")) as ArtifactManifest;
  } catch (error) {
    throw new CorruptArtifactError(path, `cannot read ${MANIFEST} (${(error as Error).message})`);
  }
  if (!Array.isArray(manifest.files)) throw new CorruptArtifactError(path, `${MANIFEST} lists no files`);
  if (artifactDigest(manifest.files) !== expectedDigest) throw new CorruptArtifactError(path, "manifest does not match the registered sha256");
  for (const entry of manifest.files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(path, entry.file));
    } catch {
      throw new CorruptArtifactError(path, `${entry.file} is missing`);
    }
    if (sha256(bytes) !== entry.sha256) throw new CorruptArtifactError(path, `${entry.file} does not match its sha256`);
  }
  return manifest;
}

export async function removeVersion(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Staging folders left by a crashed run. */
export async function removeStaleStaging(root: string, name: string): Promise<void> {
  const dir = resolve(root, name);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e.startsWith(".staging-")).map((e) => rm(join(dir, e), { recursive: true, force: true })));
}
