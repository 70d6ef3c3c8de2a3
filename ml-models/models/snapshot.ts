import { algorithmNamed } from "../algorithms/registry.ts";
import { HybridModel } from "./hybrid.ts";
import type { Recommender } from "./recommender.ts";

/**
 * A trained model as plain data over shared memory, so a worker thread can rebuild
 * it without copying its arrays: the unit of work handed to evaluation threads.
 * Each algorithm says how (its snapshot/restore); a hybrid refers to its components
 * by position in the same snapshot list. Models of algorithms a worker cannot import
 * (not in the registry) are opaque, and evaluation then stays on one thread.
 */
export type ModelSnapshot =
  | { kind: "algorithm"; name: string; data: Record<string, unknown> }
  | { kind: "hybrid"; components: { index: number; weight: number }[] }
  | { kind: "opaque" };

export function snapshotModels(models: readonly Recommender[]): ModelSnapshot[] {
  return models.map((model): ModelSnapshot => {
    if (model instanceof HybridModel) {
      const components = model.components.map((c) => ({ index: models.indexOf(c.model), weight: c.weight }));
      return components.every((c) => c.index >= 0) ? { kind: "hybrid", components } : { kind: "opaque" };
    }
    const algorithm = algorithmNamed(model.name);
    if (!algorithm) return { kind: "opaque" };
    try {
      return { kind: "algorithm", name: model.name, data: algorithm.snapshot(model) };
    } catch {
      return { kind: "opaque" };
    }
  });
}

/** Rebuilds models from snapshots (null for models that could not be snapshotted). */
export function restoreModels(snapshots: readonly ModelSnapshot[]): (Recommender | null)[] {
  const restored: (Recommender | null)[] = [];
  for (const snapshot of snapshots) {
    if (snapshot.kind === "algorithm") {
      restored.push(algorithmNamed(snapshot.name)?.restore(snapshot.data) ?? null);
    } else if (snapshot.kind === "hybrid") {
      const components = snapshot.components.map((c) => ({ model: restored[c.index], weight: c.weight }));
      restored.push(components.every((c) => c.model) ? new HybridModel(components as { model: Recommender; weight: number }[]) : null);
    } else {
      restored.push(null);
    }
  }
  return restored;
}
