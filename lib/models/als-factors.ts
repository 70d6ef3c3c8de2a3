import { join } from "node:path";
import type { PrismaClient } from "../db/database.ts";
import { readIdMaps, resolveArtifactPath, servingDescriptionOf, verifyVersion } from "./artifact-format.ts";
import { alsStateOf, foldInUser, indexHistory, type AlsState } from "./fold-in.ts";
import { INITIALIZER } from "./graph-signatures.ts";
import { readFloatInitializer } from "./onnx.ts";
import { productionVersions } from "./registry-reads.ts";
import { readHistory } from "./user-history.ts";

/** The production ALS version's item side: all a process needs to fold a reader in, without the ONNX sessions. */
export interface AlsFactors {
  readonly version: number;
  readonly state: AlsState;
  readonly itemIndex: ReadonlyMap<number, number>;
}

/** Reads (and verifies against the registry's sha256) the production ALS factors; null when no ALS is in production. */
export async function loadProductionAlsFactors(prisma: PrismaClient, artifactsRoot: string): Promise<AlsFactors | null> {
  const registered = (await productionVersions(prisma)).find((version) => version.name === "als");
  if (!registered) return null;
  const directory = resolveArtifactPath(artifactsRoot, registered.artifactPath);
  const manifest = await verifyVersion(directory, registered.sha256);
  const scorer = servingDescriptionOf(directory, manifest).graphs["vector-scorer"];
  if (!scorer) return null;
  const ids = await readIdMaps(directory);
  const items = await readFloatInitializer(join(directory, scorer), INITIALIZER.itemFactors);
  return {
    version: registered.version,
    itemIndex: new Map(ids.items.map((id, index) => [id, index])),
    // The trained user rows are not needed to fold in: the vector is recomputed from the reader's whole history.
    state: alsStateOf(registered.hyperparameters, items, new Float32Array(0)),
  };
}

/** A reader's vector from their whole history against the model's item factors; null when none of their books is known to it. */
export async function foldInReader(prisma: PrismaClient, factors: AlsFactors, userId: number): Promise<Float32Array | null> {
  const history = await readHistory(prisma, userId);
  const indexed = indexHistory(factors.state, factors.itemIndex, history);
  return indexed.length === 0 ? null : foldInUser(factors.state, indexed);
}
