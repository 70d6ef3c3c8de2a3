import { DEFAULT_ITEM_CF, ItemCfModel, trainItemCf, type ItemCfParams } from "../models/item-cf.ts";
import { defineAlgorithm } from "./algorithm.ts";
import { exportNeighbours, loadNeighbours, restoredTable, snapshotNeighbours } from "./neighbour-family.ts";

/** Item-item collaborative filtering (cosine of reader sets, damped by the readers' history lengths). */
export const itemCf = defineAlgorithm<ItemCfModel, ItemCfParams>({
  name: "item-cf",
  role: "collaborative",
  firstRun: true,
  defaults: DEFAULT_ITEM_CF,
  // Goodbooks' validation prefers few neighbours, strong damping and a recent-first history; the demo data more neighbours.
  searchSpace: [
    { neighbours: 10, userDamping: 1 },
    { neighbours: 10, userDamping: 1, recencyDecay: 0.9 },
    { neighbours: 20, userDamping: 1, recencyDecay: 0.8 },
    { neighbours: 10, userDamping: 0.5 },
    { neighbours: 30, userDamping: 0.5 },
    { neighbours: 30, userDamping: 1, recencyDecay: 0.95 },
  ],
  train: async (data, params) => trainItemCf(data.matrices, params),
  paramsOf: (model) => model.params,
  snapshot: (model) => ({ ...snapshotNeighbours(model), params: model.params }),
  restore(snapshot) {
    const { index, score, itemCount } = restoredTable(snapshot);
    return new ItemCfModel(index, score, itemCount, snapshot.params as ItemCfParams);
  },
  export: (model, history, sampler) => exportNeighbours("item-cf", model, history, sampler),
  async load(version) {
    const { index, score, width } = await loadNeighbours(version);
    const stored = version.hyperparameters;
    return new ItemCfModel(index, score, version.itemCount, {
      neighbours: width,
      shrinkage: Number(stored.shrinkage ?? 0),
      userDamping: Number(stored.userDamping ?? 0),
      recencyDecay: Number(stored.recencyDecay ?? 1),
    });
  },
});
