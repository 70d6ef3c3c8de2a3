import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { interactionMatrices, csrFromCoordinates, type Csr, type InteractionMatrices } from "../ml-models/data/csr.ts";
import type { Dataset } from "../ml-models/data/dataset.ts";
import { evaluateModel, evaluateModels, type MetricSet } from "../ml-models/evaluate/evaluate.ts";
import { evaluateModelsParallel } from "../ml-models/evaluate/evaluate-parallel.ts";
import { HybridModel } from "../ml-models/models/hybrid.ts";
import { topK } from "../ml-models/linalg/top-k.ts";
import { trainAls, trainAlsThreaded } from "../ml-models/models/als.ts";
import { trainContent } from "../ml-models/models/content.ts";
import { trainItemCf } from "../ml-models/models/item-cf.ts";
import { trainPopularity } from "../ml-models/models/popularity.ts";
import { DEFAULT_TRAINING, EmptyDataError, trainAndEvaluate } from "../ml-models/pipeline/train-models.ts";
import { splitByTime } from "../ml-models/split/time-split.ts";
import { plantedData, plantedDataset, type PlantedData } from "./support/ml-planted-data.ts";

describe("models on planted two-group data", () => {
  let data: PlantedData;
  let dataset: Dataset;
  let train: InteractionMatrices;
  let test: Csr;
  let popularity: MetricSet;
  const users = () => dataset.userMap.ids.length;
  const items = () => dataset.itemMap.ids.length;

  before(() => {
    data = plantedData();
    dataset = plantedDataset(data);
    const split = splitByTime(dataset.interactions, users());
    train = interactionMatrices(split.train, users(), items());
    test = csrFromCoordinates(users(), items(), split.test.users, split.test.items, split.test.values);
    popularity = evaluateModel(trainPopularity(split.train, items()), { train, test });
  });

  it("ALS beats popularity on NDCG@10 and keeps each group in its cluster", async () => {
    const als = trainAls(train, { factors: 32, regularization: 1, alpha: 2, cgSteps: 3, iterations: 8, seed: 1 });
    const metrics = evaluateModel(als, { train, test });
    assert.ok(metrics.ndcgAt10 > popularity.ndcgAt10 * 2, `ALS ${metrics.ndcgAt10} vs popularity ${popularity.ndcgAt10}`);
    const scores = new Float32Array(items());
    let inCluster = 0;
    let total = 0;
    for (let u = 0; u < users(); u++) {
      als.scoreUser(u, train.userItem, scores);
      for (const item of topK(scores, 10)) {
        inCluster += data.clusterOf(dataset.itemMap.ids[item]!) === data.groupOf(dataset.userMap.ids[u]!) ? 1 : 0;
        total++;
      }
    }
    assert.ok(inCluster / total > 0.9, `only ${inCluster}/${total} recommendations in the reader's cluster`);
  });

  it("ALS scores several readers at once (JavaScript blocks and onnxruntime) as it scores each alone", async () => {
    const als = await trainAlsThreaded(train, { factors: 18, regularization: 1, alpha: 2, cgSteps: 3, iterations: 3, seed: 4 }, undefined, { threads: 2, minInteractions: 0 });
    const readers = Int32Array.from({ length: 7 }, (_, n) => (n * 5) % users());
    const blocked = Array.from(readers, () => new Float32Array(items()));
    const offThread = Array.from(readers, () => new Float32Array(items()));
    als.scoreUsers(readers, train.userItem, blocked);
    await als.scoreUsersAsync(readers, train.userItem, offThread);
    const alone = new Float32Array(items());
    readers.forEach((reader, n) => {
      als.scoreUser(reader, train.userItem, alone);
      assert.deepEqual(blocked[n], alone);
      for (let i = 0; i < items(); i++) assert.ok(Math.abs(offThread[n]![i]! - alone[i]!) < 1e-5, `reader ${reader} item ${i}: ${offThread[n]![i]} vs ${alone[i]}`);
    });
  });

  it("ALS split across threads gives exactly the single-threaded factors", async () => {
    const params = { factors: 16, regularization: 1, alpha: 2, cgSteps: 3, iterations: 3, seed: 2 };
    const single = trainAls(train, params);
    const threaded = await trainAlsThreaded(train, params, undefined, { threads: 2, minInteractions: 0 });
    assert.ok(threaded.userFactors.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(threaded.userFactors, single.userFactors);
    assert.deepEqual(threaded.itemFactors, single.itemFactors);
  });

  it("item-item CF beats popularity and its neighbours come from the same cluster", () => {
    const cf = trainItemCf(train, { neighbours: 10, shrinkage: 0, userDamping: 0 });
    const metrics = evaluateModel(cf, { train, test });
    assert.ok(metrics.ndcgAt10 > popularity.ndcgAt10 * 2, `CF ${metrics.ndcgAt10} vs popularity ${popularity.ndcgAt10}`);
    let same = 0;
    let total = 0;
    for (let i = 0; i < items(); i++) {
      for (let n = 0; n < 10; n++) {
        const j = cf.neighbourIndex[i * 10 + n]!;
        if (j < 0) continue;
        same += data.clusterOf(dataset.itemMap.ids[i]!) === data.clusterOf(dataset.itemMap.ids[j]!) ? 1 : 0;
        total++;
      }
    }
    assert.ok(same / total > 0.8, `${same}/${total} neighbours in the same cluster`);
  });

  it("content embeddings put books of one author and genre together", () => {
    const content = trainContent(dataset.features!, { minDocumentFrequency: 2, maxDocumentShare: 0.9, dimensions: 8, powerIterations: 2, seed: 1 });
    const d = content.dimensions;
    const dot = (a: number, b: number) => {
      let sum = 0;
      for (let f = 0; f < d; f++) sum += content.embeddings[a * d + f]! * content.embeddings[b * d + f]!;
      return sum;
    };
    const first = dataset.itemMap.index.get(1)!;
    const sameCluster = dataset.itemMap.index.get(2)!;
    const otherCluster = dataset.itemMap.index.get(data.items)!;
    assert.ok(dot(first, sameCluster) > 0.8, `same cluster cosine ${dot(first, sameCluster)}`);
    assert.ok(dot(first, otherCluster) < 0.3, `other cluster cosine ${dot(first, otherCluster)}`);
    assert.ok(evaluateModel(content, { train, test }).ndcgAt10 > 0);
  });

  it("the full training step tunes on validation and the hybrid is no worse than popularity", async () => {
    const result = await trainAndEvaluate(dataset, splitByTime(dataset.interactions, users()), {
      ...DEFAULT_TRAINING,
      params: { als: { factors: 16, iterations: 6 }, content: { dimensions: 8 } },
      searchSpaces: { als: [] },
      tuningUsers: 60,
      hybridStep: 0.5,
    });
    assert.deepEqual([...result.models.keys()].sort(), ["als", "content", "ease", "hybrid", "item-cf", "popularity", "rp3beta"]);
    const ndcg = (name: string) => result.models.get(name as never)!.metrics.ndcgAt10;
    assert.ok(ndcg("hybrid") > ndcg("popularity"), `hybrid ${ndcg("hybrid")} vs popularity ${ndcg("popularity")}`);
    const weights = result.validation.hybridWeights as Record<string, number>;
    assert.equal(Object.values(weights).reduce((a, b) => a + b, 0), 1);
  });

  it("evaluation split across threads gives the single-threaded metrics", async () => {
    const models = [trainPopularity(splitByTime(dataset.interactions, users()).train, items()), trainItemCf(train, { neighbours: 10, shrinkage: 0, userDamping: 0 })];
    const hybrid = new HybridModel(models.map((model) => ({ model, weight: 0.5 })));
    const all = [...models, hybrid];
    const single = evaluateModels(all, { train, test });
    const parallel = await evaluateModelsParallel(all, { train, test }, { threads: 2, minUsers: 0 });
    for (const model of all) {
      const a = single.get(model)!;
      const b = parallel.get(model)!;
      assert.equal(b.users, a.users);
      for (const key of Object.keys(a) as (keyof MetricSet)[]) assert.ok(Math.abs(a[key] - b[key]) < 1e-12, `${model.name} ${key}: ${a[key]} vs ${b[key]}`);
    }
  });

  it("refuses to train on data with no held-out interactions", async () => {
    const tiny = plantedDataset(plantedData({ users: 4, items: 10, perUser: 3 }));
    await assert.rejects(trainAndEvaluate(tiny, splitByTime(tiny.interactions, tiny.userMap.ids.length)), EmptyDataError);
  });
});
