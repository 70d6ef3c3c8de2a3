import { shared } from "./als-parallel.ts";
import { AlsModel, type AlsParams } from "./als.ts";
import { ContentModel, type ContentParams } from "./content.ts";
import { HybridModel } from "./hybrid.ts";
import { ItemCfModel, type ItemCfParams } from "./item-cf.ts";
import { PopularityModel, type PopularityParams } from "./popularity.ts";
import type { Recommender } from "./recommender.ts";

/**
 * A trained model as plain data over shared memory, so a worker thread can rebuild
 * it without copying its arrays: the unit of work handed to evaluation threads.
 * A hybrid refers to its components by position in the same snapshot list.
 */
export type ModelSnapshot =
  | { kind: "popularity"; scores: Float32Array; params: PopularityParams }
  | { kind: "item-cf"; neighbourIndex: Int32Array; neighbourScore: Float32Array; itemCount: number; params: ItemCfParams }
  | { kind: "als"; userFactors: Float32Array; itemFactors: Float32Array; userCount: number; itemCount: number; params: AlsParams }
  | { kind: "content"; embeddings: Float32Array; itemCount: number; dimensions: number; vocabularySize: number; params: ContentParams }
  | { kind: "hybrid"; components: { index: number; weight: number }[] }
  | { kind: "opaque" };

const onShared = <T extends Int32Array | Float32Array>(array: T): T => (array.buffer instanceof SharedArrayBuffer ? array : shared(array));

export function snapshotModels(models: readonly Recommender[]): ModelSnapshot[] {
  return models.map((model): ModelSnapshot => {
    if (model instanceof PopularityModel) return { kind: "popularity", scores: onShared(model.scores), params: model.params };
    if (model instanceof ItemCfModel) {
      return { kind: "item-cf", neighbourIndex: onShared(model.neighbourIndex), neighbourScore: onShared(model.neighbourScore), itemCount: model.itemCount, params: model.params };
    }
    if (model instanceof AlsModel) {
      return { kind: "als", userFactors: onShared(model.userFactors), itemFactors: onShared(model.itemFactors), userCount: model.userCount, itemCount: model.itemCount, params: model.params };
    }
    if (model instanceof ContentModel) {
      return { kind: "content", embeddings: onShared(model.embeddings), itemCount: model.itemCount, dimensions: model.dimensions, vocabularySize: model.vocabularySize, params: model.params };
    }
    if (model instanceof HybridModel) {
      const components = model.components.map((c) => ({ index: models.indexOf(c.model), weight: c.weight }));
      return components.every((c) => c.index >= 0) ? { kind: "hybrid", components } : { kind: "opaque" };
    }
    return { kind: "opaque" };
  });
}

/** Rebuilds models from snapshots (null for models that could not be snapshotted). */
export function restoreModels(snapshots: readonly ModelSnapshot[]): (Recommender | null)[] {
  const restored: (Recommender | null)[] = [];
  for (const snapshot of snapshots) {
    switch (snapshot.kind) {
      case "popularity":
        restored.push(new PopularityModel(snapshot.scores, snapshot.params));
        break;
      case "item-cf":
        restored.push(new ItemCfModel(snapshot.neighbourIndex, snapshot.neighbourScore, snapshot.itemCount, snapshot.params));
        break;
      case "als":
        restored.push(new AlsModel(snapshot.userFactors, snapshot.itemFactors, snapshot.userCount, snapshot.itemCount, snapshot.params));
        break;
      case "content":
        restored.push(new ContentModel(snapshot.embeddings, snapshot.itemCount, snapshot.dimensions, snapshot.vocabularySize, snapshot.params));
        break;
      case "hybrid": {
        const components = snapshot.components.map((c) => ({ model: restored[c.index], weight: c.weight }));
        restored.push(components.every((c) => c.model) ? new HybridModel(components as { model: Recommender; weight: number }[]) : null);
        break;
      }
      default:
        restored.push(null);
    }
  }
  return restored;
}
