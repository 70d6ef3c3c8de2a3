import { DEFAULT_EASE, EaseModel, trainEase, type EaseParams } from "../models/ease.ts";
import { defineAlgorithm } from "./algorithm.ts";
import { exportNeighbours, loadNeighbours, restoredTable, snapshotNeighbours } from "./neighbour-family.ts";

/** EASE: the closed-form linear item-item model, sparsified to each item's strongest weights for serving. */
export const ease = defineAlgorithm<EaseModel, EaseParams>({
  name: "ease",
  role: "collaborative",
  // A dense inverse of a few thousand rows: seconds to a minute, too slow for the embedded first start.
  firstRun: false,
  defaults: DEFAULT_EASE,
  searchSpace: [{ regularization: 150 }, { regularization: 1000 }],
  train: (data, params) => trainEase(data.matrices, params),
  paramsOf: (model) => model.params,
  snapshot: (model) => ({ ...snapshotNeighbours(model), params: model.params, solvedItems: model.solvedItems }),
  restore(snapshot) {
    const { index, score, itemCount } = restoredTable(snapshot);
    return new EaseModel(index, score, itemCount, snapshot.params as EaseParams, snapshot.solvedItems as number);
  },
  export: (model, history, sampler) => exportNeighbours("ease", model, history, sampler),
  async load(version) {
    const { index, score, width } = await loadNeighbours(version);
    const stored = version.hyperparameters;
    return new EaseModel(
      index,
      score,
      version.itemCount,
      {
        regularization: Number(stored.regularization ?? DEFAULT_EASE.regularization),
        maxItems: Number(stored.maxItems ?? DEFAULT_EASE.maxItems),
        neighbours: width,
        recencyDecay: Number(stored.recencyDecay ?? 1),
      },
      Number(stored.solvedItems ?? 0),
    );
  },
});
