import { INITIALIZER, TENSOR } from "../../lib/models/graph-signatures.ts";
import { popularityScorerGraph, popularityTopKGraph } from "../export/graphs.ts";
import { floats, indices, int64Tensor, loadSession, run } from "../export/onnx-runtime.ts";
import { check, excludeHistory, historyOf, K, rankedDiff, SAMPLE } from "../export/verify.ts";
import { shared } from "../models/als-parallel.ts";
import { DEFAULT_POPULARITY, PopularityModel, trainPopularity, type PopularityParams } from "../models/popularity.ts";
import { defineAlgorithm } from "./algorithm.ts";

const FILES = { topK: "popularity-top-k.onnx", scorer: "popularity-scorer.onnx" } as const;

/** Time-decayed popularity: the baseline, and the server's answer where no personal model can say. */
export const popularity = defineAlgorithm<PopularityModel, PopularityParams>({
  name: "popularity",
  role: "popularity",
  firstRun: true,
  defaults: DEFAULT_POPULARITY,
  searchSpace: [{ halfLifeFraction: 0.02 }, { halfLifeFraction: 0.1 }, { halfLifeFraction: 0.5 }, { halfLifeFraction: Infinity }],
  train: async (data, params) => trainPopularity(data.interactions, data.itemCount, params),
  paramsOf: (model) => model.params,
  snapshot: (model) => ({ scores: model.scores.buffer instanceof SharedArrayBuffer ? model.scores : shared(model.scores), params: model.params }),
  restore: (snapshot) => new PopularityModel(snapshot.scores as Float32Array, snapshot.params as PopularityParams),
  async export(model, history, sampler) {
    const ranked = popularityTopKGraph(model.scores);
    const scorer = popularityScorerGraph(model.scores);
    const rankedSession = await loadSession(ranked);
    const users = sampler.usersWithHistory(history, SAMPLE);
    const reference = new Float32Array(model.itemCount);
    let diff = 0;
    for (const seen of [new Int32Array(0), ...users.map((u) => historyOf(history, u))]) {
      const out = await run(rankedSession, { [TENSOR.exclude]: int64Tensor(seen), [TENSOR.k]: int64Tensor([K]) });
      reference.set(model.scores);
      excludeHistory(reference, seen);
      diff = Math.max(diff, rankedDiff(floats(out[TENSOR.scores]), indices(out[TENSOR.indices]), reference));
    }
    const rankedCheck = check("popularity", FILES.topK, users.length + 1, diff);
    const items = sampler.pick(SAMPLE, model.itemCount);
    const scores = floats((await run(await loadSession(scorer), { [TENSOR.itemIndex]: int64Tensor(items) }))[TENSOR.score]);
    diff = 0;
    items.forEach((item, n) => (diff = Math.max(diff, Math.abs(scores[n]! - model.scores[item]!))));
    return {
      files: [
        { file: FILES.topK, bytes: ranked },
        { file: FILES.scorer, bytes: scorer },
      ],
      checks: [rankedCheck, check("popularity", FILES.scorer, items.length, diff)],
      serving: { role: "popularity", graphs: { "popularity-top-k": FILES.topK, "popularity-scorer": FILES.scorer } },
    };
  },
  async load(version) {
    const { data } = await version.floatRows(FILES.scorer, INITIALIZER.popularity, "items");
    return new PopularityModel(data, { halfLifeFraction: Number(version.hyperparameters.halfLifeFraction ?? Infinity) });
  },
});
