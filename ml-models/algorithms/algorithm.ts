import type { GraphKind } from "../../lib/models/graph-signatures.ts";
import type { ServingRole } from "../../lib/models/serving-description.ts";
import type { Csr, InteractionMatrices } from "../data/csr.ts";
import type { IdMap, Interactions, ItemFeatures } from "../data/dataset.ts";
import type { ModelExport, Sampler } from "../export/verify.ts";
import type { Progress } from "../pipeline/progress.ts";
import type { Recommender } from "../models/recommender.ts";

/** What an algorithm trains on: the interactions (matrix rows in time order) and the catalogue. */
export interface TrainingData {
  readonly matrices: InteractionMatrices;
  readonly interactions: Interactions;
  readonly userCount: number;
  readonly itemCount: number;
  /** Book metadata by item index, when the source has it. */
  readonly features?: readonly (ItemFeatures | undefined)[];
  readonly progress: Progress;
}

/** A registered version's stored parameters, rebuilt over today's indices (re-scoring production). */
export interface StoredVersion {
  readonly path: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** The file holding a graph kind, as the version's serving description says. */
  graphFile(kind: GraphKind): string;
  /** A float initializer of one of the version's graphs, rows remapped to today's users or items. */
  floatRows(file: string, initializer: string, side: "users" | "items"): Promise<{ data: Float32Array; width: number }>;
  /** An int64 or int32 item-index table (e.g. neighbours), rows and values remapped to today's items (-1 where gone). */
  itemTable(file: string, initializer: string): Promise<{ data: Int32Array; width: number }>;
  readonly userCount: number;
  readonly itemCount: number;
}

/**
 * One recommendation algorithm, described once: its name and serving role, its
 * defaults and the settings tuned on validation, how it trains, how a trained model
 * crosses to an evaluation thread (snapshot / restore), how it is exported to ONNX
 * (graphs, checked against `scoreUser`, plus the serving description the server
 * reads) and how a registered version is read back. Adding an algorithm is a file
 * implementing this and a line in ./registry.ts.
 */
export interface Algorithm<M extends Recommender = Recommender, P extends object = object> {
  readonly name: string;
  readonly role: Exclude<ServingRole, "blend">;
  /** Part of the quick first training (`npm start` on a fresh install); heavy models say no. */
  readonly firstRun: boolean;
  readonly defaults: P;
  /** Changes to `defaults` also tried on the validation slice, in order, while the time budget lasts. */
  readonly searchSpace: readonly Partial<P>[];
  /** Why this algorithm cannot run on this data (then it is skipped, not failed), or null. */
  unavailable?(data: TrainingData): string | null;
  /** Cheaper settings for the validation comparisons (e.g. fewer ALS iterations); the final fit uses the chosen ones. */
  forTuning?(params: P): P;
  train(data: TrainingData, params: P): Promise<M>;
  /** The settings a trained model was trained with (hyperparameters are for humans and the registry). */
  paramsOf(model: M): P;
  snapshot(model: M): Record<string, unknown>;
  restore(snapshot: Record<string, unknown>): M;
  export(model: M, history: Csr, sampler: Sampler): Promise<ModelExport>;
  load(version: StoredVersion): Promise<M>;
}

export type AnyAlgorithm = Algorithm<Recommender, object>;

/** Narrows a typed algorithm to the registry's element type (the registry only passes back its own models). */
export function defineAlgorithm<M extends Recommender, P extends object>(algorithm: Algorithm<M, P>): AnyAlgorithm {
  return algorithm as unknown as AnyAlgorithm;
}

export type { IdMap };
