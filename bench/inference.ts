/**
 * `npx tsx bench/inference.ts`: the serving graphs alone, at catalogue scale
 * (BENCH_ITEMS items, BENCH_USERS users, 64 factors): scores per second by batch
 * size, on the main thread vs the worker pool, and what each does to the event
 * loop (perf_hooks.monitorEventLoopDelay) — the reason large batches run in workers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createLogger } from "../lib/logger.ts";
import { loadConfig } from "../lib/config.ts";
import { buildIdMap } from "../ml-models/data/dataset.ts";
import { itemFactorGraph, userVectorGraph } from "../ml-models/export/graphs.ts";
import { createRandom } from "../ml-models/linalg/random.ts";
import { idMapsJson, writeVersion } from "../ml-models/registry/artifacts.ts";
import { vectorPairScores, vectorTopK, type IndexedList } from "../subgraphs/recommendations/serving/graphs.ts";
import { InferencePool } from "../subgraphs/recommendations/serving/inference-pool.ts";
import { InferenceRunner } from "../subgraphs/recommendations/serving/inference-runner.ts";
import { loadModel } from "../subgraphs/recommendations/serving/loaded-model.ts";
import { SharedBatcher } from "../subgraphs/recommendations/serving/shared-batcher.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const USERS = Number(process.env.BENCH_USERS ?? 5_000);
const K = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);

const random = createRandom(1);
const userFactors = Float32Array.from({ length: USERS * K }, () => random() - 0.5);
const itemFactors = Float32Array.from({ length: ITEMS * K }, () => random() - 0.5);
const root = await mkdtemp(join(tmpdir(), "shelfgraph-bench-"));
const ids = idMapsJson(buildIdMap(Array.from({ length: USERS }, (_x, u) => u + 1)), buildIdMap(Array.from({ length: ITEMS }, (_x, i) => i + 1)));
const files = [
  { file: "item-factors.onnx", bytes: itemFactorGraph(itemFactors, ITEMS, K) },
  { file: "user-vectors.onnx", bytes: userVectorGraph(userFactors, USERS, K) },
  { file: "id-maps.json", bytes: ids },
];
// The layout ALS exports (ml-models/algorithms/als.ts), without the factor scorer serving never opens.
const serving = { role: "collaborative", graphs: { "user-vectors": "user-vectors.onnx", "user-top-k": "item-factors.onnx", "vector-scorer": "item-factors.onnx" } };
const written = await writeVersion(root, "als", 1, files, { serving });
const model = await loadModel(root, { name: "als", version: 1, artifactPath: written.path, sha256: written.sha256, hyperparameters: { factors: K }, itemCount: ITEMS }, () => {});
const pool = new InferencePool(2, createLogger(loadConfig({ LOG_LEVEL: "silent" }), "bench"));
const vector = (u: number) => userFactors.subarray((u % USERS) * K, ((u % USERS) + 1) * K);

interface Row {
  graph: string;
  batch: number;
  where: string;
  "rows/s": number;
  "calls/s": number;
  "loop delay p99 ms": number;
  "loop delay max ms": number;
}

async function measure(graph: string, batch: number, useWorkers: boolean, runOnce: (batcher: SharedBatcher, n: number) => Promise<unknown>): Promise<Row> {
  const runner = new InferenceRunner(useWorkers ? pool : null, useWorkers ? 1 : Infinity);
  const batcher = new SharedBatcher(runner, 1_000_000, 0);
  await runOnce(batcher, 0); // session warm-up (workers open their own)
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const started = performance.now();
  let rows = 0;
  let calls = 0;
  // Two in flight, as two concurrent requests would keep both workers busy.
  await Promise.all(
    [0, 1].map(async () => {
      while (performance.now() - started < SECONDS * 1000) {
        await runOnce(batcher, calls++);
        rows += batch;
      }
    }),
  );
  loop.disable();
  const elapsed = (performance.now() - started) / 1000;
  return {
    graph,
    batch,
    where: useWorkers ? "worker pool" : "main thread",
    "rows/s": Math.round(rows / elapsed),
    "calls/s": Math.round(calls / elapsed),
    "loop delay p99 ms": Number((loop.percentile(99) / 1e6).toFixed(2)),
    "loop delay max ms": Number((loop.max / 1e6).toFixed(2)),
  };
}

const rows: Row[] = [];
try {
  // Pair scores always run on the main thread (serving/inference-runner.ts): a dot product
  // per row holds the event loop too briefly to be worth a worker's memory.
  for (const batch of [1, 16, 256, 4096]) {
    rows.push(
      await measure("pair scores", batch, false, (batcher, n) =>
        batcher.run(model, vectorPairScores(model), Array.from({ length: batch }, (_x, i) => ({ vector: vector(n + i), item: (n * 31 + i * 7) % ITEMS }))),
      ),
    );
  }
  for (const batch of [1, 32]) {
    for (const workers of [false, true]) {
      rows.push(
        await measure("user top-50 over the catalogue", batch, workers, (batcher, n) =>
          batcher.run(model, vectorTopK(model), Array.from({ length: batch }, (_x, i) => ({ vector: vector(n + i), k: 50 }))) as Promise<IndexedList[]>,
        ),
      );
    }
  }
  console.log(`\nALS serving graphs, ${ITEMS} items x ${K} factors, ${SECONDS} s per row, two calls in flight\n`);
  console.table(rows);
  const single = rows.find((r) => r.graph === "pair scores" && r.batch === 1 && r.where === "main thread")!;
  const best = rows.filter((r) => r.graph === "pair scores").reduce((a, b) => (b["rows/s"] > a["rows/s"] ? b : a));
  console.log(`pair scores per second, best batched (${best.batch}) / one pair per call: ${(best["rows/s"] / single["rows/s"]).toFixed(1)}x`);
  console.log(JSON.stringify(rows));
} finally {
  await pool.stop();
  model.retire();
  await rm(root, { recursive: true, force: true });
}
