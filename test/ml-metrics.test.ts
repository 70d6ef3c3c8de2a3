import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { csrFromCoordinates, interactionMatrices } from "../ml-models/data/csr.ts";
import type { Interactions } from "../ml-models/data/dataset.ts";
import { evaluateModel } from "../ml-models/evaluate/evaluate.ts";
import { averagePrecisionAt, hitRateAt, intraListDiversity, ndcgAt, novelty, precisionAt, recallAt } from "../ml-models/evaluate/metrics.ts";
import { CsvFormatError, datasetFromFile, datasetFromTrainTestFiles } from "../ml-models/extract/csv.ts";
import { topK } from "../ml-models/linalg/top-k.ts";
import { simplexGrid } from "../ml-models/models/hybrid-tuning.ts";
import type { Recommender } from "../ml-models/models/recommender.ts";
import { splitByTime } from "../ml-models/split/time-split.ts";

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

describe("ranking metrics on a hand-computed list", () => {
  // Ranked [3, 1, 7, 2, 9]; relevant {1, 2, 5}: hits at ranks 2 and 4.
  const ranked = [3, 1, 7, 2, 9];
  const relevant = new Set([1, 2, 5]);
  const isRelevant = (item: number) => relevant.has(item);

  it("precision, recall and hit rate count the hits", () => {
    close(precisionAt(ranked, 5, isRelevant), 2 / 5);
    close(recallAt(ranked, 5, isRelevant, 3), 2 / 3);
    close(hitRateAt(ranked, 5, isRelevant), 1);
    close(hitRateAt(ranked, 1, isRelevant), 0);
    close(precisionAt(ranked, 2, isRelevant), 1 / 2);
  });

  it("NDCG discounts by log2 of the rank and normalises by the ideal list", () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    close(ndcgAt(ranked, 5, isRelevant, 3), dcg / ideal);
    // Cut at 2: one hit at rank 2, ideal has two relevant items in the first two places.
    close(ndcgAt(ranked, 2, isRelevant, 3), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
    close(ndcgAt([1, 2, 5], 3, isRelevant, 3), 1);
  });

  it("MAP@k averages precision at each hit over min(k, relevant)", () => {
    close(averagePrecisionAt(ranked, 5, isRelevant, 3), (1 / 2 + 2 / 4) / 3);
    close(averagePrecisionAt(ranked, 2, isRelevant, 3), 1 / 2 / 2);
  });

  it("diversity is the mean pairwise dissimilarity and novelty the mean self-information", () => {
    close(intraListDiversity([1, 2, 3], (a, b) => (a + b === 3 ? 1 : 0)), (0 + 1 + 1) / 3);
    close(novelty([3, 1], (item) => (item === 3 ? 0.5 : 0.25)), (1 + 2) / 2);
    close(intraListDiversity([4], () => 0), 0);
  });
});

describe("evaluateModel", () => {
  it("ranks the whole catalogue with training items excluded", () => {
    // 2 users x 6 items; the model prefers low item indices for everyone.
    const train: Interactions = {
      users: Int32Array.from([0, 0, 1]),
      items: Int32Array.from([0, 1, 2]),
      values: Float32Array.from([1, 1, 1]),
      times: Float64Array.from([1, 2, 3]),
    };
    const model: Recommender = {
      name: "popularity",
      itemCount: 6,
      hyperparameters: {},
      scoreUser: (_user, _history, out) => out.set([6, 5, 4, 3, 2, 1]),
    };
    const test = csrFromCoordinates(2, 6, Int32Array.from([0, 1]), Int32Array.from([2, 0]), Float32Array.from([1, 1]));
    const metrics = evaluateModel(model, { train: interactionMatrices(train, 2, 6), test });
    // User 0 gets [2, 3, 4, 5] (0 and 1 excluded): hit at rank 1. User 1 gets [0, 1, 3, 4, 5]: hit at rank 1.
    close(metrics.ndcgAt10, 1);
    close(metrics.hitRateAt10, 1);
    close(metrics.precisionAt10, 0.1);
    close(metrics.recallAt10, 1);
    close(metrics.coverageAt10, 1); // together the two lists name all six items
    assert.equal(metrics.users, 2);
  });
});

describe("topK", () => {
  it("returns the best first, skips excluded (-Infinity) items and breaks ties by index", () => {
    const scores = Float32Array.from([0.5, 2, -Infinity, 2, 1, 0.1]);
    assert.deepEqual([...topK(scores, 3)], [1, 3, 4]);
    assert.deepEqual([...topK(scores, 10)], [1, 3, 4, 0, 5]);
  });
});

describe("per-user time split", () => {
  it("holds out the newest 20% of users with at least 5 interactions", () => {
    const users: number[] = [];
    const items: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      users.push(0);
      items.push(i);
      times.push(100 - i); // newest first in source order
    }
    for (let i = 0; i < 4; i++) {
      users.push(1);
      items.push(i);
      times.push(i);
    }
    const interactions: Interactions = {
      users: Int32Array.from(users),
      items: Int32Array.from(items),
      values: new Float32Array(users.length).fill(1),
      times: Float64Array.from(times),
    };
    const { train, test } = splitByTime(interactions, 2);
    assert.deepEqual([...test.users], [0, 0]);
    assert.deepEqual([...test.items].sort(), [0, 1]); // times 100 and 99
    assert.equal(train.users.filter((u) => u === 1).length, 4);
  });
});

describe("interaction files", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ml-csv-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("reads a headed file without timestamps in row order and splits by it", async () => {
    const file = join(dir, "ratings.csv");
    const lines = ["user_id,book_id,rating"];
    for (let i = 1; i <= 10; i++) lines.push(`7,${i},${(i % 5) + 1}`);
    await writeFile(file, `${lines.join("\n")}\n`);
    const dataset = await datasetFromFile(file);
    assert.equal(dataset.interactions.users.length, 10);
    const { test } = splitByTime(dataset.interactions, dataset.userMap.ids.length);
    assert.deepEqual(
      [...test.items].map((i) => dataset.itemMap.ids[i]),
      [9, 10],
    );
  });

  it("takes train and test files over one id space and drops test pairs already in train", async () => {
    await writeFile(join(dir, "train.csv"), "1,10\n1,11\n2,10\n");
    await writeFile(join(dir, "test.csv"), "1,12\n2,10\n2,13\n");
    const { dataset, train, test } = await datasetFromTrainTestFiles(join(dir, "train.csv"), join(dir, "test.csv"));
    assert.deepEqual([...dataset.itemMap.ids].sort(), [10, 11, 12, 13]);
    assert.equal(train.users.length, 3);
    assert.deepEqual(
      [...test.items].map((i) => dataset.itemMap.ids[i]).sort(),
      [12, 13],
    );
  });

  it("reads adjacency-list splits (a user id, then that user's items), told from CSV by content", async () => {
    await writeFile(join(dir, "train.txt"), "0 10 11 12\n1 10 13\n\n2 11\n");
    await writeFile(join(dir, "test.txt"), "0 13\n1 11 12\n");
    const { dataset, train, test } = await datasetFromTrainTestFiles(join(dir, "train.txt"), join(dir, "test.txt"));
    assert.deepEqual([...dataset.itemMap.ids].sort(), [10, 11, 12, 13]);
    assert.equal(train.users.length, 6);
    const testPairs = [...test.users].map((u, r) => `${dataset.userMap.ids[u]}:${dataset.itemMap.ids[test.items[r]!]}`).sort();
    assert.deepEqual(testPairs, ["0:13", "1:11", "1:12"]);
    await writeFile(join(dir, "bad.txt"), "0 10 11\n1 x 12\n");
    await assert.rejects(datasetFromFile(join(dir, "bad.txt")), (error: unknown) => error instanceof CsvFormatError && /bad\.txt:2/.test(error.message));
  });

  it("names the file and line of a malformed row", async () => {
    await writeFile(join(dir, "bad.csv"), "user_id,item_id\n1,2\nx,3\n");
    await assert.rejects(datasetFromFile(join(dir, "bad.csv")), (error: unknown) => error instanceof CsvFormatError && /bad\.csv:3/.test(error.message));
  });
});

describe("hybrid weight grid", () => {
  it("covers the simplex", () => {
    const grid = simplexGrid(3, 0.5);
    assert.equal(grid.length, 6);
    for (const weights of grid) close(weights.reduce((a, b) => a + b, 0), 1);
  });
});
