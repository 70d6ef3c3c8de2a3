import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger } from "../lib/logger.ts";
import { loadConfig } from "../lib/config.ts";
import { interactionMatrices } from "../ml-models/data/csr.ts";
import { buildIdMap, type Interactions } from "../ml-models/data/dataset.ts";
import { exportModel } from "../ml-models/export/export-model.ts";
import { createRandom } from "../ml-models/linalg/random.ts";
import { trainAls, type AlsModel } from "../ml-models/models/als.ts";
import { solveRows } from "../ml-models/models/als-solver.ts";
import { idMapsJson, writeVersion } from "../ml-models/registry/artifacts.ts";
import { foldInUser } from "../lib/models/fold-in.ts";
import { vectorPairScores, vectorTopK } from "../subgraphs/recommendations/serving/graphs.ts";
import { InferencePool } from "../subgraphs/recommendations/serving/inference-pool.ts";
import { InferenceRunner } from "../subgraphs/recommendations/serving/inference-runner.ts";
import { loadModel, type LoadedModel } from "../subgraphs/recommendations/serving/loaded-model.ts";
import { SharedBatcher } from "../subgraphs/recommendations/serving/shared-batcher.ts";

/**
 * The serving mechanics on a real exported ALS model, without a database: the
 * fold-in solves the trainer's system, the shared batcher merges concurrent
 * requests into one run and splits at the batch cap, large batches run in worker
 * threads with the same answers, and a retired version stays usable until its
 * last lease is returned.
 */
const USERS = 60;
const ITEMS = 40;
const logger = createLogger(loadConfig({ LOG_LEVEL: "silent" }), "test");

function randomInteractions(): Interactions {
  const random = createRandom(5);
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < USERS; u++)
    for (let i = 0; i < ITEMS; i++)
      if (random() < 0.2 + 0.5 * Number((u % 4) === (i % 4))) {
        users.push(u);
        items.push(i);
        values.push(1 + Math.floor(random() * 5));
      }
  return { users: Int32Array.from(users), items: Int32Array.from(items), values: Float32Array.from(values), times: Float64Array.from(users, (_u, n) => n) };
}

describe("recommendation serving mechanics on an exported ALS model", () => {
  let root: string;
  let als: AlsModel;
  let interactions: Interactions;
  let model: LoadedModel;
  const closed: string[] = [];
  const pool = new InferencePool(2, logger);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "shelfgraph-serving-"));
    interactions = randomInteractions();
    const matrices = interactionMatrices(interactions, USERS, ITEMS);
    als = trainAls(matrices, { factors: 8, regularization: 2, alpha: 0.5, cgSteps: 3, iterations: 6, seed: 3 });
    const exported = await exportModel(als, matrices.userItem);
    const ids = idMapsJson(buildIdMap(Array.from({ length: USERS }, (_x, u) => 1000 + u)), buildIdMap(Array.from({ length: ITEMS }, (_x, i) => 500 + i)));
    const written = await writeVersion(root, "als", 1, [...exported.files, { file: "id-maps.json", bytes: ids }], { serving: exported.serving });
    model = await loadModel(root, { name: "als", version: 1, artifactPath: written.path, sha256: written.sha256, hyperparameters: { ...als.params }, itemCount: ITEMS }, (m) => closed.push(m.key));
  });
  after(async () => {
    await pool.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("folds a user in exactly as the trainer's least-squares step would", () => {
    const user = 7;
    const history: { item: number; strength: number }[] = [];
    for (let e = 0; e < interactions.users.length; e++) if (interactions.users[e] === user) history.push({ item: interactions.items[e]!, strength: interactions.values[e]! });
    const folded = foldInUser(model.state.factors!, history);
    // The trainer's CG solver, run to convergence from zero, on the same row.
    const k = 8;
    const matrix = { indptr: Int32Array.from([0, history.length]), indices: Int32Array.from(history, (h) => h.item), data: Float32Array.from(history, (h) => h.strength) };
    const gram = Float64Array.from(model.state.factors!.gram);
    for (let f = 0; f < k; f++) gram[f * k + f]! += als.params.regularization;
    const solved = new Float32Array(k);
    solveRows(matrix, solved, als.itemFactors, gram, { ...als.params, cgSteps: 50 }, 0, 1);
    for (let f = 0; f < k; f++) assert.ok(Math.abs(folded[f]! - solved[f]!) < 1e-3, `factor ${f}: ${folded[f]} vs ${solved[f]}`);
    // And, since the item factors are the trained ones, close to the user's trained row.
    const trained = als.userFactors.subarray(user * k, (user + 1) * k);
    const cosine = folded.reduce((sum, x, f) => sum + x * trained[f]!, 0) / Math.hypot(...folded) / Math.hypot(...trained);
    assert.ok(cosine > 0.9, `folded-in vector points where the trained one does (cosine ${cosine})`);
  });

  it("merges concurrent requests into one session.run and splits at the batch cap", async () => {
    const runner = new InferenceRunner(null, Infinity);
    const batcher = new SharedBatcher(runner, 4, 0);
    const k = 8;
    const vectorOf = (u: number) => als.userFactors.slice(u * k, (u + 1) * k);
    const requests = [0, 1, 2].map((u) => [{ vector: vectorOf(u), item: u + 1 }]);
    const results = await Promise.all(requests.map((pairs) => batcher.run(model, vectorPairScores(model), pairs)));
    assert.equal(runner.counters.calls, 1, "three concurrent requests, one inference call");
    results.forEach(([score], u) => {
      const expected = vectorOf(u).reduce((sum, x, f) => sum + x * als.itemFactors[(u + 1) * k + f]!, 0);
      assert.ok(Math.abs(score! - expected) < 1e-5);
    });
    await batcher.run(model, vectorPairScores(model), Array.from({ length: 10 }, (_x, n) => ({ vector: vectorOf(n), item: n })));
    assert.equal(runner.counters.calls, 1 + 3, "10 pairs at a cap of 4: three calls");
    const unbatched = new SharedBatcher(runner, 4, 0, false);
    await unbatched.run(model, vectorPairScores(model), Array.from({ length: 5 }, (_x, n) => ({ vector: vectorOf(n), item: n })));
    assert.equal(runner.counters.calls, 4 + 5, "batching off: one call per pair");
  });

  it("runs large batches of catalogue rankings in worker threads with the main thread's answers", async () => {
    const k = 8;
    const readers = Array.from({ length: 300 }, (_x, n) => ({ vector: als.userFactors.slice((n % USERS) * k, ((n % USERS) + 1) * k), k: 5 }));
    const onMain = await new SharedBatcher(new InferenceRunner(null, Infinity), 1024, 0).run(model, vectorTopK(model), readers);
    const runner = new InferenceRunner(pool, 256);
    const inWorker = await new SharedBatcher(runner, 1024, 0).run(model, vectorTopK(model), readers);
    assert.equal(runner.counters.workerCalls, 1);
    assert.deepEqual(inWorker, onMain);
  });

  it("scores pairs on the main thread however many: a dot product per row is cheaper than the trip to a worker", async () => {
    const k = 8;
    const pairs = Array.from({ length: 300 }, (_x, n) => ({ vector: als.userFactors.slice((n % USERS) * k, ((n % USERS) + 1) * k), item: n % ITEMS }));
    const runner = new InferenceRunner(pool, 256);
    const scores = await new SharedBatcher(runner, 1024, 0).run(model, vectorPairScores(model), pairs);
    assert.equal(scores.length, 300);
    assert.equal(runner.counters.calls, 1);
    assert.equal(runner.counters.workerCalls, 0);
  });

  it("keeps a retired version usable until its last in-flight lease returns, then closes it", async () => {
    const lease = model.acquire();
    model.retire();
    assert.equal(model.isClosed, false);
    const runner = new InferenceRunner(null, Infinity);
    const [score] = await new SharedBatcher(runner, 16, 0).run(lease, vectorPairScores(lease), [{ vector: als.userFactors.slice(0, 8), item: 3 }]);
    assert.equal(typeof score, "number");
    lease.release();
    assert.equal(model.isClosed, true);
    assert.deepEqual(closed, ["als@1"]);
    assert.throws(() => model.session("item-factors.onnx"), /not loaded/);
  });
});
