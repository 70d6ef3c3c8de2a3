import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainAll } from "../../ml-models/pipeline/train-all.ts";
import { modelChangedPublisher } from "../../ml-models/pipeline/publish.ts";
import { DEFAULT_TRAINING, type TrainingOptions } from "../../ml-models/pipeline/train-models.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { productionVersions } from "../../lib/models/registry-reads.ts";
import { recommendationEngineOf } from "../../subgraphs/recommendations/subgraph.ts";
import { until } from "./eventually.ts";

/** Small, fast settings: the tests need real models, not good ones. */
export const TEST_TRAINING: TrainingOptions = {
  ...DEFAULT_TRAINING,
  params: { als: { factors: 16, iterations: 6 }, content: { dimensions: 16 }, popularity: { halfLifeFraction: Infinity } },
  searchSpaces: { popularity: [], rp3beta: [], ease: [], als: [{ factors: 8 }] },
  tuningUsers: 50,
  hybridStep: 0.5,
};

export interface TrainedModels {
  readonly artifactsDir: string;
  /** Runs the pipeline again; margin -1 promotes every new version. */
  retrain(promotionMargin?: number): ReturnType<typeof trainAll>;
  remove(): Promise<void>;
}

/** Runs the real pipeline (extract, train, export to ONNX, register, promote, publish) on the test database. */
export async function trainTestModels(runtime: Runtime): Promise<TrainedModels> {
  const artifactsDir = await mkdtemp(join(tmpdir(), "shelfgraph-models-"));
  const retrain = (promotionMargin = 0) =>
    trainAll(runtime.db, { artifactsDir, promotionMargin, publish: modelChangedPublisher(runtime.pubsub), training: TEST_TRAINING });
  await retrain();
  return { artifactsDir, retrain, remove: () => rm(artifactsDir, { recursive: true, force: true }) };
}

/**
 * Waits until the runtime's recommendations engine serves every production version.
 * trainTestModels returns once they are published, and serving loads them when told: a
 * version arriving mid-test would change what serves (and the cache keys under it).
 */
export async function untilProductionServed(runtime: Runtime, timeoutMs: number): Promise<void> {
  const engine = recommendationEngineOf(runtime);
  const production = await productionVersions(runtime.db.prisma);
  const served = () => engine.models.versions() as Record<string, number | undefined>;
  try {
    await until(() => (production.every((row) => served()[row.name] === row.version) ? true : undefined), timeoutMs, "every production model to load");
  } catch (error) {
    throw new Error(`${(error as Error).message}: production ${JSON.stringify(production.map((row) => [row.name, row.version]))}, served ${JSON.stringify(served())}`);
  }
}
