import { transpose, type Csr } from "../ml-models/data/csr.ts";
import { createRandom } from "../ml-models/linalg/random.ts";
import { availableParallelism } from "node:os";
import { AlsThreads } from "../ml-models/models/als-parallel.ts";
import { alsIteration, DEFAULT_ALS } from "../ml-models/models/als.ts";

/**
 * One ALS iteration (both half-steps) on a generated matrix the size of the full
 * Goodbooks-10k ratings (53,424 readers, 10,000 books, ~6 million ratings, Zipf
 * popularity): time per half-step and peak memory. Target: under 30 s.
 *   npx tsx bench/ml-als.ts [--ratings 6000000] [--factors 64] [--threads N]
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const targetRatings = Number(args.get("ratings") ?? 6_000_000);
const factors = Number(args.get("factors") ?? DEFAULT_ALS.factors);
const users = 53_424;
const items = 10_000;

function generate(): Csr {
  const random = createRandom(17);
  // Zipf(1) popularity as a cumulative table; readers' list lengths vary around the mean.
  const cumulative = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cumulative[i] = total += 1 / (i + 10);
  const drawItem = () => {
    const r = random() * total;
    let lo = 0;
    let hi = items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const mean = targetRatings / users;
  const indptr = new Int32Array(users + 1);
  const lengths = Int32Array.from({ length: users }, () => Math.max(3, Math.min(items / 4, Math.round(mean * (0.3 + 1.4 * random())))));
  for (let u = 0; u < users; u++) indptr[u + 1] = indptr[u]! + lengths[u]!;
  const nnz = indptr[users]!;
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  const seen = new Int32Array(items).fill(-1);
  for (let u = 0; u < users; u++) {
    let at = indptr[u]!;
    const end = indptr[u + 1]!;
    while (at < end) {
      const item = drawItem();
      if (seen[item] === u) continue;
      seen[item] = u;
      indices[at] = item;
      data[at] = 1 + Math.floor(random() * 5);
      at++;
    }
    indices.subarray(indptr[u]!, end).sort();
  }
  return { rows: users, cols: items, indptr, indices, data };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const t0 = performance.now();
const userItem = generate();
const itemUser = transpose(userItem);
const t1 = performance.now();
const params = { ...DEFAULT_ALS, factors };
const random = createRandom(3);
const userFactors = new Float32Array(new SharedArrayBuffer(users * factors * 4));
const itemFactors = new Float32Array(new SharedArrayBuffer(items * factors * 4));
for (let i = 0; i < userFactors.length; i++) userFactors[i] = random() * 0.01;
for (let i = 0; i < itemFactors.length; i++) itemFactors[i] = random() * 0.01;
const threads = await AlsThreads.start(userItem, itemUser, userFactors, itemFactors, params, { threads: Number(args.get("threads") ?? availableParallelism()) });
const t2 = performance.now();
if (threads) await threads.iteration();
else alsIteration(userItem, itemUser, userFactors, itemFactors, params);
const t3 = performance.now();
await threads?.close();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
process.stdout.write(
  [
    `ratings ${userItem.indices.length.toLocaleString("en")} · users ${users.toLocaleString("en")} · items ${items.toLocaleString("en")} · factors ${factors} · CG steps ${params.cgSteps}`,
    `generate + transpose: ${((t1 - t0) / 1000).toFixed(1)} s`,
    `one ALS iteration (users + items) on ${threads ? `${Number(args.get("threads") ?? availableParallelism())} threads` : "1 thread"}: ${((t3 - t2) / 1000).toFixed(1)} s (target < 30 s)`,
    `peak memory (RSS): ${mb(peakRss)}`,
  ].join("\n") + "\n",
);
