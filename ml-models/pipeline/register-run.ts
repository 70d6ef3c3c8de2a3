import { withAdvisoryLock } from "../../lib/db/advisory-lock.ts";
import type { SqlDatabase } from "../../lib/db/database.ts";
import { inTransaction } from "../../lib/db/transaction.ts";
import type { Logger } from "../../lib/logger.ts";
import { HYBRID } from "../../lib/models/model-names.ts";
import type { AnyAlgorithm } from "../algorithms/algorithm.ts";
import type { Dataset } from "../data/dataset.ts";
import type { MetricSet } from "../evaluate/evaluate.ts";
import { evaluateModelsParallel } from "../evaluate/evaluate-parallel.ts";
import { exportModel, type GraphCheck } from "../export/export-model.ts";
import type { HybridModel } from "../models/hybrid.ts";
import type { ModelName, Recommender } from "../models/recommender.ts";
import { idMapsJson, removeStaleStaging, removeVersion, writeVersion } from "../registry/artifacts.ts";
import { loadVersion } from "../registry/load-model.ts";
import {
  archiveFirstStartVersions,
  insertVersion,
  isFirstStartVersion,
  listVersions,
  nextVersion,
  pruneVersions,
  removeArtifacts,
  setProduction,
  type ModelVersionRow,
  type Publish,
} from "../registry/registry.ts";
import type { Progress } from "./progress.ts";

type PublishedName = Parameters<Publish>[0]["name"];
import type { TrainingResult } from "./train-models.ts";

/** One training run at a time per database: versions are numbered and promoted under it. */
export const TRAINING_LOCK_KEY = 72707371;

export interface RegistrationOptions {
  readonly artifactsDir: string;
  /** Relative NDCG@10 improvement over production required to promote (0.01 = 1 %). */
  readonly promotionMargin: number;
  readonly keepVersions: number;
  readonly publish?: Publish;
  readonly logger?: Logger;
  readonly progress?: Progress;
  /** Where to find each model's algorithm (default: the registry). */
  readonly algorithms?: readonly AnyAlgorithm[];
  /** The quick first-start set: flagged in the registry so the first full run replaces it unconditionally. */
  readonly firstStart?: boolean;
}

export interface RegisteredModel {
  readonly name: ModelName;
  readonly version: number;
  readonly status: "CANDIDATE" | "PRODUCTION";
  readonly metrics: MetricSet;
  readonly trainSeconds: number;
  readonly artifactPath: string;
  readonly checks: readonly GraphCheck[];
  /** The production version before this run, re-scored on this run's test set. */
  readonly production: { version: number; metrics: MetricSet } | null;
  readonly decision: string;
}


/**
 * Exports, verifies, stores and registers every model of a run, then promotes each
 * candidate that beats its production version on this run's test set. Files are
 * written first and rows inserted in one transaction; if anything fails the new
 * files are removed and the registry (and so production) is exactly as before.
 */
export async function registerRun(db: SqlDatabase, dataset: Dataset, result: TrainingResult, options: RegistrationOptions): Promise<RegisteredModel[]> {
  let committed: { registered: RegisteredModel[]; pruned: string[] } | undefined;
  try {
    await db.withConnection((lockConnection) =>
      withAdvisoryLock(lockConnection, TRAINING_LOCK_KEY, async () => {
        const written: string[] = [];
        try {
          committed = await registerLocked(db, dataset, result, options, written);
        } catch (error) {
          for (const path of written) await removeVersion(path).catch(() => {});
          throw error;
        }
      }),
    );
  } catch (error) {
    // Losing the lock's session after the commit (the unlock fails) does not undo the registration.
    if (!committed) throw error;
    options.logger?.warn({ err: error }, "training lock could not be released cleanly; the models are registered");
  }
  const { registered, pruned } = committed!;
  await removeArtifacts(pruned);
  for (const model of registered.filter((m) => m.status === "PRODUCTION")) {
    await options.publish?.({ name: model.name as PublishedName, version: model.version, artifactPath: model.artifactPath, reason: "promoted" });
  }
  return registered;
}

async function registerLocked(
  db: SqlDatabase,
  dataset: Dataset,
  result: TrainingResult,
  options: RegistrationOptions,
  written: string[],
): Promise<{ registered: RegisteredModel[]; pruned: string[] }> {
  const trainedAt = new Date();
  const versions: Record<string, number> = {};
  const idMaps = idMapsJson(dataset.userMap, dataset.itemMap);
  const staged: { name: ModelName; version: number; path: string; sha256: string; checks: GraphCheck[] }[] = [];
  const existing = await listVersions(db);
  // The hybrid comes last (as the run lists it): its recipe names its components' versions, so they are numbered first.
  const order = [...result.models.keys()].sort((a, b) => Number(a === HYBRID) - Number(b === HYBRID));
  for (const name of order) {
    const trained = result.models.get(name)!;
    await removeStaleStaging(options.artifactsDir, name);
    const version = await db.withConnection((c) => nextVersion(c, name));
    versions[name] = version;
    options.progress?.stage(`exporting ${name} v${version}`);
    const exported = await exportModel(trained.model, result.train.userItem, { componentVersions: versions, ...(options.algorithms ? { algorithms: options.algorithms } : {}) });
    const { path, sha256 } = await writeVersion(
      options.artifactsDir,
      name,
      version,
      [...exported.files, { file: "id-maps.json", bytes: idMaps }],
      {
        hyperparameters: trained.model.hyperparameters,
        metrics: trained.metrics,
        checks: exported.checks,
        serving: exported.serving,
        counts: result.counts,
        trainedAt: trainedAt.toISOString(),
      },
    );
    written.push(path);
    staged.push({ name, version, path, sha256, checks: exported.checks });
  }

  // Production re-scored on this run's test set: the comparison the promotion rule asks for.
  const productionMetrics = new Map<string, { version: number; metrics: MetricSet }>();
  const loaded = new Map<string, Recommender>();
  const resolveComponent = async (name: string, version: number): Promise<Recommender> => {
    const key = `${name}@${version}`;
    const cached = loaded.get(key);
    if (cached) return cached;
    const row = existing.find((r) => r.name === name && r.version === version);
    if (!row) throw new Error(`component ${key} is no longer registered`);
    const model = await loadVersion(row, dataset, resolveComponent, options.algorithms);
    loaded.set(key, model);
    return model;
  };
  const productionModels = new Map<string, { version: number; model: Recommender }>();
  const replacesFirstStart = (name: string) =>
    !options.firstStart && existing.some((row) => row.name === name && row.status === "PRODUCTION" && isFirstStartVersion(row));
  for (const { name } of staged) {
    const production = existing.find((row) => row.name === name && row.status === "PRODUCTION");
    // A first-start stand-in is no bar to clear: re-scoring it would only spend time.
    if (!production || replacesFirstStart(name)) continue;
    try {
      productionModels.set(name, { version: production.version, model: await resolveComponent(name, production.version) });
    } catch (error) {
      // A production version that cannot be read is no bar to clear: the candidate replaces it.
      options.logger?.error({ err: error, model: name, version: production.version }, "production model could not be loaded; the candidate is compared with nothing");
    }
  }
  if (productionModels.size > 0) {
    options.progress?.stage(`re-scoring ${productionModels.size} production models on this run's test set`);
    const scored = await evaluateModelsParallel(
      [...productionModels.values()].map((p) => p.model),
      { train: result.train, test: result.test, ...(result.diversitySpace ? { diversitySpace: result.diversitySpace } : {}) },
    );
    for (const [name, { version, model }] of productionModels) productionMetrics.set(name, { version, metrics: scored.get(model)! });
  }

  const registered: RegisteredModel[] = [];
  const pruned = await inTransaction(db, async (connection) => {
    for (const entry of staged) {
      const trained = result.models.get(entry.name)!;
      await insertVersion(connection, {
        name: entry.name,
        version: entry.version,
        // A hybrid names the component versions it blends, so pruning never deletes them under it.
        hyperparameters: {
          ...trained.model.hyperparameters,
          ...(entry.name === HYBRID ? { componentVersions: componentVersions(trained.model, versions) } : {}),
          ...(options.firstStart ? { firstStart: true } : {}),
        },
        metrics: { ...trained.metrics, trainSeconds: trained.trainSeconds },
        artifactPath: entry.path,
        sha256: entry.sha256,
        ...result.counts,
        trainedAt,
      });
      const production = productionMetrics.get(entry.name) ?? null;
      const hadProduction = existing.some((row) => row.name === entry.name && row.status === "PRODUCTION");
      const decision = replacesFirstStart(entry.name)
        ? { promote: true, reason: "replaces the first-start model" }
        : promotionDecision(trained.metrics.ndcgAt10, production?.metrics.ndcgAt10 ?? null, hadProduction, options.promotionMargin);
      if (decision.promote) await setProduction(connection, entry.name, entry.version);
      registered.push({
        name: entry.name,
        version: entry.version,
        status: decision.promote ? "PRODUCTION" : "CANDIDATE",
        metrics: trained.metrics,
        trainSeconds: trained.trainSeconds,
        artifactPath: entry.path,
        checks: entry.checks,
        production,
        decision: decision.reason,
      });
    }
    // A full run leaves no first-start stand-in in production, even for a model it could not train.
    if (!options.firstStart) {
      const retired = await archiveFirstStartVersions(connection);
      if (retired.length > 0) options.logger?.warn({ models: retired }, "first-start models this run did not replace are archived");
    }
    return pruneVersions(connection, options.keepVersions);
  });
  return { registered, pruned };
}

export function promotionDecision(
  candidate: number,
  production: number | null,
  hadProduction: boolean,
  margin: number,
): { promote: boolean; reason: string } {
  if (!hadProduction) return { promote: true, reason: "no production version yet" };
  if (production === null) return { promote: true, reason: "production version unreadable" };
  const bar = production * (1 + margin);
  return candidate > bar
    ? { promote: true, reason: `NDCG@10 ${candidate.toFixed(4)} beats production ${production.toFixed(4)} by more than ${(margin * 100).toFixed(1)} %` }
    : { promote: false, reason: `NDCG@10 ${candidate.toFixed(4)} does not beat production ${production.toFixed(4)} by ${(margin * 100).toFixed(1)} %` };
}

export type { ModelVersionRow };

function componentVersions(hybrid: Recommender, versions: Readonly<Record<string, number>>): Record<string, number> {
  const components = (hybrid as HybridModel).components.map((c) => c.model.name);
  return Object.fromEntries(components.filter((name) => versions[name] !== undefined).map((name) => [name, versions[name]!]));
}
