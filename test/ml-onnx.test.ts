import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { interactionMatrices, type InteractionMatrices } from "../ml-models/data/csr.ts";
import { exportModel, ExportVerificationError, TOLERANCE } from "../ml-models/export/export-model.ts";
import { planGraphCall, runGraph } from "../lib/models/graph-calls.ts";
import { floats, floatTensor, indices, int64Tensor, loadSession } from "../ml-models/export/onnx-runtime.ts";
import { topK } from "../ml-models/linalg/top-k.ts";
import { AlsModel, trainAls } from "../ml-models/models/als.ts";
import { trainContent } from "../ml-models/models/content.ts";
import { HybridModel } from "../ml-models/models/hybrid.ts";
import { trainItemCf } from "../ml-models/models/item-cf.ts";
import { trainEase } from "../ml-models/models/ease.ts";
import { trainPopularity } from "../ml-models/models/popularity.ts";
import { trainRp3Beta } from "../ml-models/models/rp3beta.ts";
import type { Recommender } from "../ml-models/models/recommender.ts";
import { splitByTime } from "../ml-models/split/time-split.ts";
import { plantedData, plantedDataset } from "./support/ml-planted-data.ts";

describe("ONNX export", () => {
  let train: InteractionMatrices;
  let models: Recommender[];
  let als: AlsModel;

  before(async () => {
    const dataset = plantedDataset(plantedData());
    const users = dataset.userMap.ids.length;
    const items = dataset.itemMap.ids.length;
    const split = splitByTime(dataset.interactions, users);
    train = interactionMatrices(split.train, users, items);
    als = trainAls(train, { factors: 32, regularization: 1, alpha: 2, cgSteps: 3, iterations: 5, seed: 1 });
    models = [
      trainPopularity(split.train, items),
      trainItemCf(train, { neighbours: 10, shrinkage: 0, userDamping: 0 }),
      als,
      trainContent(dataset.features!, { minDocumentFrequency: 2, maxDocumentShare: 0.9, dimensions: 8, powerIterations: 2, seed: 1 }),
      // Recent-first histories: the graphs weigh the history by position exactly as the models do.
      trainRp3Beta(train, { alpha: 0.8, beta: 0.4, neighbours: 20, recencyDecay: 0.8 }),
      await trainEase(train, { regularization: 50, maxItems: 500, neighbours: 20, recencyDecay: 0.7 }),
    ];
  });

  it("every graph agrees with its TypeScript model within 1e-4", async () => {
    // A neighbour model's three graph kinds share one file (one copy of the table per serving session).
    const neighbours = { files: ["neighbours.onnx"], checks: ["neighbours.onnx#item-neighbours", "neighbours.onnx#history-top-k", "neighbours.onnx#history-scorer"] };
    const alone = (files: string[]) => ({ files, checks: files });
    const expected: Record<string, { files: string[]; checks: string[] }> = {
      popularity: alone(["popularity-top-k.onnx", "popularity-scorer.onnx"]),
      "item-cf": neighbours,
      rp3beta: neighbours,
      ease: neighbours,
      // ALS's two served kinds share one file (one copy of the item factors per serving session).
      als: { files: ["scorer.onnx", "user-vectors.onnx", "item-factors.onnx"], checks: ["scorer.onnx", "user-vectors.onnx", "item-factors.onnx#vector-scorer", "item-factors.onnx#user-top-k"] },
      content: alone(["item-top-k.onnx", "history-top-k.onnx"]),
    };
    for (const model of models) {
      const exported = await exportModel(model, train.userItem);
      assert.deepEqual(exported.files.map((f) => f.file).sort(), [...expected[model.name]!.files].sort());
      assert.deepEqual(exported.checks.map((c) => c.file).sort(), [...expected[model.name]!.checks].sort());
      for (const check of exported.checks) {
        assert.ok(check.samples > 0);
        assert.ok(check.maxAbsDiff <= TOLERANCE, `${model.name}/${check.file}: ${check.maxAbsDiff}`);
      }
    }
  });

  it("the ALS top-K graph returns the TypeScript model's top 10 with the history left out", async () => {
    const exported = await exportModel(als, train.userItem);
    const session = await loadSession(exported.files.find((f) => f.file === "item-factors.onnx")!.bytes);
    const call = planGraphCall(session, "user-top-k");
    const k = als.factors;
    const scores = new Float32Array(als.itemCount);
    for (const user of [0, 7, 33]) {
      const history = train.userItem.indices.subarray(train.userItem.indptr[user]!, train.userItem.indptr[user + 1]!);
      const out = await runGraph(session, call, {
        user_vector: floatTensor(als.userFactors.slice(user * k, (user + 1) * k), [1, k]),
        exclude: int64Tensor(history),
        k: int64Tensor([10]),
      });
      als.scoreUser(user, train.userItem, scores);
      for (const item of history) scores[item] = -Infinity;
      assert.deepEqual([...indices(out.indices)], [...topK(scores, 10)]);
      const onnxScores = floats(out.scores);
      for (let r = 0; r < 10; r++) assert.ok(Math.abs(onnxScores[r]! - scores[indices(out.indices)[r]!]!) <= TOLERANCE);
      for (const item of history) assert.ok(!indices(out.indices).includes(item), "a history item was recommended");
    }
  });

  it("the hybrid exports its recipe with component versions", async () => {
    const hybrid = new HybridModel(models.map((model, c) => ({ model, weight: c === 2 ? 1 : 0 })));
    const exported = await exportModel(hybrid, train.userItem, { componentVersions: { als: 4 } });
    const recipe = JSON.parse(new TextDecoder().decode(exported.files[0]!.bytes)) as { components: { model: string; version: number | null; weight: number }[] };
    assert.deepEqual(recipe.components.find((c) => c.model === "als"), { model: "als", version: 4, weight: 1 });
  });

  it("refuses to export a graph that disagrees with the model", async () => {
    // A model whose scores are not what its factors say: the check must notice.
    class Drifting extends AlsModel {
      override scoreUser(user: number, history: Parameters<AlsModel["scoreUser"]>[1], out: Float32Array): void {
        super.scoreUser(user, history, out);
        for (let i = 0; i < out.length; i++) out[i]! += 0.01 * (i % 3);
      }
    }
    const drifting = new Drifting(als.userFactors, als.itemFactors, als.userCount, als.itemCount, als.params);
    await assert.rejects(exportModel(drifting, train.userItem), ExportVerificationError);
  });
});
