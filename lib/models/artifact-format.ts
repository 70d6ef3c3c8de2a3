import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { ModelName } from "./model-names.ts";
import { parseServingDescription, type ServingDescription } from "./serving-description.ts";

/**
 * The on-disk shape of a model version, shared by the trainer that writes it
 * (ml-models/registry) and the serving side that loads it: one directory per
 * version, `<MODEL_ARTIFACTS_DIR>/<name>/v<version>/`, holding the exported files,
 * `id-maps.json` and a `manifest.json` listing every file with its sha256. The
 * registry row's `sha256` is the digest of that list, so one comparison proves the
 * directory is the one that was registered.
 */
export const MANIFEST = "manifest.json";
export const ID_MAPS = "id-maps.json";

/**
 * Files of the five original models, for serving code not yet reading the
 * manifest's serving description (which is the source of truth).
 */
export const MODEL_FILES = {
  als: { scorer: "scorer.onnx", userVectors: "user-vectors.onnx", userTopK: "user-top-k.onnx", vectorScorer: "vector-scorer.onnx" },
  "item-cf": { itemNeighbours: "item-neighbours.onnx", historyTopK: "history-top-k.onnx", historyScorer: "history-scorer.onnx" },
  rp3beta: { itemNeighbours: "item-neighbours.onnx", historyTopK: "history-top-k.onnx", historyScorer: "history-scorer.onnx" },
  ease: { itemNeighbours: "item-neighbours.onnx", historyTopK: "history-top-k.onnx", historyScorer: "history-scorer.onnx" },
  content: { itemTopK: "item-top-k.onnx", historyTopK: "history-top-k.onnx" },
  popularity: { topK: "popularity-top-k.onnx", scorer: "popularity-scorer.onnx" },
  hybrid: { recipe: "hybrid.json" },
} as const satisfies Record<ModelName, Record<string, string>>;

/** The hybrid's recipe file; every other model's files are listed in its manifest's serving description. */
export const HYBRID_RECIPE = "hybrid.json";

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

/** Position = model index, value = database id. */
export interface IdMaps {
  readonly users: number[];
  readonly items: number[];
}

/** What hybrid.json says: how to blend the component models. */
export interface HybridRecipe {
  readonly combine: string;
  readonly components: { model: ModelName; weight: number }[];
}

export class CorruptArtifactError extends Error {
  constructor(path: string, detail: string) {
    super(`model artifact at ${path} is corrupt: ${detail}`);
    this.name = "CorruptArtifactError";
  }
}

export function sha256(bytes: Uint8Array | string): string {
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

/** Registry rows hold an absolute path, or one relative to MODEL_ARTIFACTS_DIR. */
export function resolveArtifactPath(root: string, artifactPath: string): string {
  return isAbsolute(artifactPath) ? artifactPath : resolve(root, artifactPath);
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

/** The serving description a version's exporter wrote into its manifest. */
export function servingDescriptionOf(path: string, manifest: ArtifactManifest): ServingDescription {
  const description = parseServingDescription(manifest.serving);
  if (!description) throw new CorruptArtifactError(path, `${MANIFEST} has no valid serving description`);
  return description;
}

export async function readIdMaps(path: string): Promise<IdMaps> {
  try {
    const parsed = JSON.parse(await readFile(join(path, ID_MAPS), "utf8")) as Partial<IdMaps>;
    if (!Array.isArray(parsed.items) || !Array.isArray(parsed.users)) throw new Error("users/items arrays missing");
    return { users: parsed.users, items: parsed.items };
  } catch (error) {
    throw new CorruptArtifactError(path, `cannot read ${ID_MAPS} (${(error as Error).message})`);
  }
}

export async function readHybridRecipe(path: string): Promise<HybridRecipe> {
  try {
    return JSON.parse(await readFile(join(path, HYBRID_RECIPE), "utf8")) as HybridRecipe;
  } catch (error) {
    throw new CorruptArtifactError(path, `cannot read ${HYBRID_RECIPE} (${(error as Error).message})`);
  }
}
