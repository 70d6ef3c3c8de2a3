import { availableParallelism, loadavg } from "node:os";
import { csrFromCoordinates, interactionMatrices } from "../ml-models/data/csr.ts";
import type { Interactions } from "../ml-models/data/dataset.ts";
import { evaluateModelsParallel } from "../ml-models/evaluate/evaluate-parallel.ts";
import { createRandom } from "../ml-models/linalg/random.ts";
import { trainAlsThreaded } from "../ml-models/models/als.ts";
import { HybridModel } from "../ml-models/models/hybrid.ts";
import { DEFAULT_ITEM_CF, trainItemCf } from "../ml-models/models/item-cf.ts";
import { trainPopularity } from "../ml-models/models/popularity.ts";
import type { Recommender } from "../ml-models/models/recommender.ts";

/**
 * The full-ranking evaluation at public-benchmark scale: 70,000 generated readers x
 * 25,000 books (Zipf popularity, 10-60 books per reader, each reader's last 20% held
 * out), four models (popularity, item-CF, a 64-factor ALS, their hybrid), every
 * reader ranking the whole catalogue with their training books excluded, diversity
 * measured on reader sets (the slow yardstick, used when a run has no content
 * embeddings). Prints the evaluation's wall and CPU time (all threads) with the load
 * average; model training is timed apart and not counted.
 *   npx tsx bench/ml-evaluate.ts [--users 70000] [--items 25000] [--threads N]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const userCount = Number(args.get("users") ?? 70_000);
const itemCount = Number(args.get("items") ?? 25_000);
const threads = Number(args.get("threads") ?? availableParallelism());

function generate(): { train: Interactions; test: Interactions } {
  const random = createRandom(23);
  const cumulative = new Float64Array(itemCount);
  let total = 0;
  for (let i = 0; i < itemCount; i++) cumulative[i] = total += 1 / (i + 20);
  const drawItem = () => {
    const r = random() * total;
    let lo = 0;
    let hi = itemCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const columns = { train: { users: [] as number[], items: [] as number[] }, test: { users: [] as number[], items: [] as number[] } };
  const seen = new Int32Array(itemCount).fill(-1);
  for (let u = 0; u < userCount; u++) {
    const length = 10 + Math.floor(random() * 51);
    const held = Math.max(1, Math.round(length * 0.2));
    for (let n = 0; n < length; ) {
      const item = drawItem();
      if (seen[item] === u) continue;
      seen[item] = u;
      const side = n < length - held ? columns.train : columns.test;
      side.users.push(u);
      side.items.push(item);
      n++;
    }
  }
  const asInteractions = (c: { users: number[]; items: number[] }): Interactions => ({
    users: Int32Array.from(c.users),
    items: Int32Array.from(c.items),
    values: new Float32Array(c.users.length).fill(1),
    times: Float64Array.from(c.users, (_u, r) => r),
  });
  return { train: asInteractions(columns.train), test: asInteractions(columns.test) };
}

const generated = generate();
const train = interactionMatrices(generated.train, userCount, itemCount);
const test = csrFromCoordinates(userCount, itemCount, generated.test.users, generated.test.items, generated.test.values);

const trainingStarted = performance.now();
const popularity = trainPopularity(generated.train, itemCount);
const itemCf = trainItemCf(train, { ...DEFAULT_ITEM_CF, recencyDecay: 0.8 });
const als = await trainAlsThreaded(train, { factors: 64, regularization: 10, alpha: 10, cgSteps: 3, iterations: 2, seed: 5 });
const hybrid = new HybridModel([
  { model: popularity, weight: 0.1 },
  { model: itemCf, weight: 0.5 },
  { model: als, weight: 0.4 },
]);
const models: Recommender[] = [popularity, itemCf, als, hybrid];
const trainingSeconds = (performance.now() - trainingStarted) / 1000;

const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(" ");
const cpuBefore = process.cpuUsage();
const started = performance.now();
const metrics = await evaluateModelsParallel(models, { train, test }, { threads });
const wall = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);

const lines = [
  `evaluation: ${userCount} readers x ${itemCount} books, ${generated.train.users.length} training and ${generated.test.users.length} held-out interactions, ${models.length} models, ${threads} threads`,
  ...models.map((m) => `  ${m.name.padEnd(10)} NDCG@10 ${metrics.get(m)!.ndcgAt10.toFixed(4)}  R@20 ${metrics.get(m)!.recallAt20.toFixed(4)}  ILD@10 ${metrics.get(m)!.diversityAt10.toFixed(3)}  users ${metrics.get(m)!.users}`),
  `evaluation wall ${wall.toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)} s, all threads); model training apart: ${trainingSeconds.toFixed(1)} s`,
  `load average at start ${loadAtStart}, at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
];
process.stdout.write(lines.join("\n") + "\n");
