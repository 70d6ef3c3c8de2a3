import type { AnyAlgorithm } from "../algorithms/algorithm.ts";
import { exportHybrid, HYBRID } from "../algorithms/hybrid.ts";
import { algorithmNamed, ALGORITHMS } from "../algorithms/registry.ts";
import type { Csr } from "../data/csr.ts";
import type { HybridModel } from "../models/hybrid.ts";
import type { Recommender } from "../models/recommender.ts";
import { Sampler, type ModelExport } from "./verify.ts";

export { ExportVerificationError, TOLERANCE, type ExportedFile, type GraphCheck, type ModelExport } from "./verify.ts";

export interface ExportOptions {
  readonly seed?: number;
  /** For the hybrid's recipe: the registered version of each component trained in the same run. */
  readonly componentVersions?: Readonly<Record<string, number>>;
  /** Where to find the model's algorithm (default: the registry). */
  readonly algorithms?: readonly AnyAlgorithm[];
}

/**
 * Writes a model's serving graphs and checks each with onnxruntime-node against the
 * TypeScript model on a sample of users/items: any difference above 1e-4 fails the
 * export (and with it the run), so a wrong graph never reaches the registry. The
 * graphs, and the serving description, are the model's algorithm's (algorithms/).
 */
export async function exportModel(model: Recommender, history: Csr, options: ExportOptions = {}): Promise<ModelExport> {
  if (model.name === HYBRID) return exportHybrid(model as HybridModel, options.componentVersions ?? {});
  const algorithm = algorithmNamed(model.name, options.algorithms ?? ALGORITHMS);
  if (!algorithm) throw new Error(`no algorithm named ${model.name} to export it with`);
  return algorithm.export(model, history, new Sampler(options.seed ?? 3));
}
