import { DEFAULT_RP3BETA, Rp3BetaModel, trainRp3Beta, type Rp3BetaParams } from "../models/rp3beta.ts";
import { defineAlgorithm } from "./algorithm.ts";
import { exportNeighbours, loadNeighbours, restoredTable, snapshotNeighbours } from "./neighbour-family.ts";

/** RP3beta: a popularity-penalised three-step random walk over the reader-book graph. */
export const rp3beta = defineAlgorithm<Rp3BetaModel, Rp3BetaParams>({
  name: "rp3beta",
  role: "collaborative",
  firstRun: true,
  defaults: DEFAULT_RP3BETA,
  searchSpace: [
    { alpha: 1, beta: 0.4, neighbours: 200 },
    { alpha: 1, beta: 0.3, neighbours: 50 },
    { alpha: 0.8, beta: 0.4, recencyDecay: 0.8 },
    { alpha: 1, beta: 0.5, recencyDecay: 1 },
  ],
  train: async (data, params) => trainRp3Beta(data.matrices, params),
  paramsOf: (model) => model.params,
  snapshot: (model) => ({ ...snapshotNeighbours(model), params: model.params }),
  restore(snapshot) {
    const { index, score, itemCount } = restoredTable(snapshot);
    return new Rp3BetaModel(index, score, itemCount, snapshot.params as Rp3BetaParams);
  },
  export: (model, history, sampler) => exportNeighbours("rp3beta", model, history, sampler),
  async load(version) {
    const { index, score, width } = await loadNeighbours(version);
    const stored = version.hyperparameters;
    return new Rp3BetaModel(index, score, version.itemCount, {
      alpha: Number(stored.alpha ?? DEFAULT_RP3BETA.alpha),
      beta: Number(stored.beta ?? DEFAULT_RP3BETA.beta),
      neighbours: width,
      recencyDecay: Number(stored.recencyDecay ?? 1),
    });
  },
});
