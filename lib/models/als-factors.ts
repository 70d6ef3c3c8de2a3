import { join } from "node:path";
import type { PrismaClient } from "../db/database.ts";
import { MODEL_FILES, readIdMaps, resolveArtifactPath, verifyVersion } from "./artifact-format.ts";
import { foldInUser, gramOf, type AlsState } from "./fold-in.ts";
import { readFloatInitializer } from "./onnx.ts";
import { productionVersions } from "./registry-reads.ts";
import { readHistory } from "./user-history.ts";

/** The production ALS version's item side: all a process needs to fold a reader in, without the ONNX sessions. */
export interface AlsFactors {
  readonly version: number;
  readonly state: AlsState;
  readonly itemIndex: ReadonlyMap<number, number>;
}

const numberParam = (hyperparameters: Record<string, unknown>, key: string, fallback: number): number => {
  const value = hyperparameters[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
};

/** Reads (and verifies against the registry's sha256) the production ALS factors; null when no ALS is in production. */
export async function loadProductionAlsFactors(prisma: PrismaClient, artifactsRoot: string): Promise<AlsFactors | null> {
  const registered = (await productionVersions(prisma)).find((version) => version.name === "als");
  if (!registered) return null;
  const directory = resolveArtifactPath(artifactsRoot, registered.artifactPath);
  await verifyVersion(directory, registered.sha256);
  const ids = await readIdMaps(directory);
  const items = await readFloatInitializer(join(directory, MODEL_FILES.als.vectorScorer), "item_factors");
  const k = items.dims[1]!;
  return {
    version: registered.version,
    itemIndex: new Map(ids.items.map((id, index) => [id, index])),
    state: {
      factors: k,
      regularization: numberParam(registered.hyperparameters, "regularization", 1),
      alpha: numberParam(registered.hyperparameters, "alpha", 1),
      // The trained user rows are not needed to fold in: the vector is recomputed from the reader's whole history.
      userFactors: new Float32Array(0),
      itemFactors: items.data,
      gram: gramOf(items.data, items.dims[0]!, k),
    },
  };
}

/** A reader's vector from their whole history against the model's item factors; null when none of their books is known to it. */
export async function foldInReader(prisma: PrismaClient, factors: AlsFactors, userId: number): Promise<Float32Array | null> {
  const history = await readHistory(prisma, userId);
  const indexed = history.flatMap((entry) => {
    const item = factors.itemIndex.get(entry.bookId);
    return item === undefined ? [] : [{ item, strength: entry.strength }];
  });
  return indexed.length === 0 ? null : foldInUser(factors.state, indexed);
}
