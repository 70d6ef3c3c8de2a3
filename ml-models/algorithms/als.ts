import { planGraphCall, runGraph } from "../../lib/models/graph-calls.ts";
import { INITIALIZER, TENSOR } from "../../lib/models/graph-signatures.ts";
import { factorScorerGraph, itemFactorGraph, userVectorGraph } from "../export/graphs.ts";
import { floats, floatTensor, indices, int64Tensor, loadSession, run } from "../export/onnx-runtime.ts";
import { check, excludeHistory, historyOf, K, rankedDiff, SAMPLE } from "../export/verify.ts";
import { shared } from "../models/als-parallel.ts";
import { alsMatrices, AlsModel, DEFAULT_ALS, trainAlsThreaded, type AlsParams } from "../models/als.ts";
import { defineAlgorithm } from "./algorithm.ts";

/** scorer and user-vectors hold the trained factors (what `load` reads back); item-factors is what serving opens. */
const FILES = { scorer: "scorer.onnx", userVectors: "user-vectors.onnx", itemFactors: "item-factors.onnx" } as const;
const label = (kind: string) => `${FILES.itemFactors}#${kind}`;

/**
 * Implicit ALS (iALS, Hu-Koren-Volinsky), tuned the way Rendle et al. (2022) ask:
 * confidence weighting (alpha), frequency-scaled regularisation, enough factors,
 * and here a recent-first weighting of each reader's history.
 */
export const als = defineAlgorithm<AlsModel, AlsParams>({
  name: "als",
  role: "collaborative",
  firstRun: false,
  defaults: DEFAULT_ALS,
  // Around the defaults; each trial runs 4 iterations (within 0.002 NDCG@10 of 8 on
  // Goodbooks' validation) and costs ~10 CPU s there, so the four settings finish within
  // the 45 s budget on 2 cores (~9-10 s wall each at a load average of 4-5).
  searchSpace: [{ regularization: 25 }, { alpha: 15 }, { recencyDecay: 0.5 }],
  forTuning: (params) => ({ ...params, iterations: Math.min(params.iterations, 4) }),
  async train(data, params) {
    const model = await trainAlsThreaded(alsMatrices(data.matrices, params), params, (done, total) => data.progress.step("ALS", done, total));
    const { userItem } = data.matrices;
    const meanUserInteractions = userItem.rows > 0 ? userItem.indptr[userItem.rows]! / userItem.rows : 0;
    return new AlsModel(model.userFactors, model.itemFactors, model.userCount, model.itemCount, { ...params, meanUserInteractions });
  },
  paramsOf: (model) => model.params,
  snapshot: (model) => ({
    userFactors: model.userFactors.buffer instanceof SharedArrayBuffer ? model.userFactors : shared(model.userFactors),
    itemFactors: model.itemFactors.buffer instanceof SharedArrayBuffer ? model.itemFactors : shared(model.itemFactors),
    userCount: model.userCount,
    itemCount: model.itemCount,
    params: model.params,
  }),
  restore: (s) => new AlsModel(s.userFactors as Float32Array, s.itemFactors as Float32Array, s.userCount as number, s.itemCount as number, s.params as AlsParams),
  async export(model, history, sampler) {
    const k = model.factors;
    const scorer = factorScorerGraph(model.userFactors, model.itemFactors, model.userCount, model.itemCount, k);
    const userVectors = userVectorGraph(model.userFactors, model.userCount, k);
    const itemFactors = itemFactorGraph(model.itemFactors, model.itemCount, k);
    const serving = await loadSession(itemFactors);
    const checks = [];

    const users = sampler.pick(SAMPLE * 8, model.userCount);
    const items = sampler.pick(SAMPLE * 8, model.itemCount);
    const scored = floats((await run(await loadSession(scorer), { [TENSOR.userIndex]: int64Tensor(users), [TENSOR.itemIndex]: int64Tensor(items) }))[TENSOR.score]);
    let diff = 0;
    users.forEach((u, n) => {
      let expected = 0;
      for (let f = 0; f < k; f++) expected += model.userFactors[u * k + f]! * model.itemFactors[items[n]! * k + f]!;
      diff = Math.max(diff, Math.abs(expected - scored[n]!));
    });
    checks.push(check("als", FILES.scorer, users.length, diff));

    const vectors = Float32Array.from(users.flatMap((u) => Array.from(model.userFactors.subarray(u * k, (u + 1) * k))));
    const vectorScored = floats(
      (await runGraph(serving, planGraphCall(serving, "vector-scorer"), { [TENSOR.userVector]: floatTensor(vectors, [users.length, k]), [TENSOR.itemIndex]: int64Tensor(items) }))[TENSOR.score],
    );
    diff = 0;
    users.forEach((_u, n) => (diff = Math.max(diff, Math.abs(vectorScored[n]! - scored[n]!))));
    checks.push(check("als", label("vector-scorer"), users.length, diff));

    const sample = sampler.usersWithHistory(history, SAMPLE);
    const gathered = floats((await run(await loadSession(userVectors), { [TENSOR.userIndex]: int64Tensor(sample) }))[TENSOR.userVector]);
    diff = 0;
    sample.forEach((u, n) => {
      for (let f = 0; f < k; f++) diff = Math.max(diff, Math.abs(gathered[n * k + f]! - model.userFactors[u * k + f]!));
    });
    checks.push(check("als", FILES.userVectors, sample.length, diff));

    const topK = planGraphCall(serving, "user-top-k");
    const reference = new Float32Array(model.itemCount);
    diff = 0;
    for (const u of sample) {
      const seen = historyOf(history, u);
      const out = await runGraph(serving, topK, {
        [TENSOR.userVector]: floatTensor(model.userFactors.slice(u * k, (u + 1) * k), [1, k]),
        [TENSOR.exclude]: int64Tensor(seen),
        [TENSOR.k]: int64Tensor([K]),
      });
      model.scoreUser(u, history, reference);
      excludeHistory(reference, seen);
      diff = Math.max(diff, rankedDiff(floats(out[TENSOR.scores]), indices(out[TENSOR.indices]), reference));
    }
    checks.push(check("als", label("user-top-k"), sample.length, diff));
    return {
      files: [
        { file: FILES.scorer, bytes: scorer },
        { file: FILES.userVectors, bytes: userVectors },
        { file: FILES.itemFactors, bytes: itemFactors },
      ],
      checks,
      serving: {
        role: "collaborative",
        graphs: { "factor-scorer": FILES.scorer, "user-vectors": FILES.userVectors, "user-top-k": FILES.itemFactors, "vector-scorer": FILES.itemFactors },
      },
    };
  },
  async load(version) {
    const users = await version.floatRows(FILES.scorer, INITIALIZER.userFactors, "users");
    const items = await version.floatRows(FILES.scorer, INITIALIZER.itemFactors, "items");
    const params = { ...DEFAULT_ALS, ...(version.hyperparameters as object), factors: items.width } as AlsParams;
    return new AlsModel(users.data, items.data, version.userCount, version.itemCount, params);
  },
});
