/**
 * `npx tsx bench/recommendations.ts`: the flagship query (a book, its 10 similar
 * books, each one's personalised score for the signed-in reader) through the
 * gateway under concurrent load, with batching and caching on, then with each
 * turned off, reported as throughput and latency percentiles and as ratios to the
 * all-on run; plus scores per second batched vs one pair per call, and the event
 * loop's delay under each load. PGlite in memory by default; DATABASE_URL /
 * REDIS_URL as in the tests. BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_BOOKS,
 * BENCH_USERS size the run.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import type { EngineOptions } from "../subgraphs/recommendations/serving/recommendation-engine.ts";
import { databaseTargets } from "../test/support/databases.ts";
import { graphql } from "../test/support/graphql-client.ts";
import { startTestSupergraph } from "../test/support/supergraph.ts";
import { trainTestModels } from "../test/support/trained-models.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const BOOKS = Number(process.env.BENCH_BOOKS ?? 5000);
const USERS = Number(process.env.BENCH_USERS ?? 2000);

const FLAGSHIP = `query Flagship($id: ID!) { book(id: $id) { id title similar(limit: 10) { book { id title score } score algorithm source reasons } } }`;

interface RunResult {
  label: string;
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  inferenceCalls: number;
  cacheHitRate: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

const target = databaseTargets().at(-1)!;
process.stderr.write(`seeding ${BOOKS} books / ${USERS} readers on ${target.name}${process.env.REDIS_URL ? " + redis" : ""} and training...\n`);
const running = await startTestSupergraph(target, { books: BOOKS, users: USERS, seed: 5 });
const models = await trainTestModels(running.runtime);
const engine = recommendationEngineOf(running.runtime);
for (let waited = 0; Object.keys(engine.models.versions()).length < 5 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
const prisma = running.runtime.db.prisma;
const seeds = (await prisma.$queryRaw<{ book_id: number }[]>`SELECT book_id FROM ratings GROUP BY book_id ORDER BY count(*) DESC LIMIT 200`).map((r) => String(r.book_id));
const readers = (await prisma.$queryRaw<{ user_id: number }[]>`SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY user_id LIMIT 50`).map((r) => r.user_id);
const tokens = await Promise.all(readers.map((userId) => signAccessToken(running.runtime.config, { userId, role: "READER" })));

interface Sample {
  latencies: number[];
  errors: number;
  seconds: number;
  calls: number;
  hits: number;
  lookups: number;
  loopP99: number[];
  loopMax: number;
}

/** One slice of load with the engine configured as given; slices of every configuration are interleaved. */
async function loadSlice(sample: Sample, options: Partial<EngineOptions>, seconds: number): Promise<void> {
  engine.configure(options);
  const callsBefore = engine.runner.counters.calls;
  const hitsBefore = engine.metrics.cacheHits;
  const missesBefore = engine.metrics.cacheMisses;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let n = Math.floor(Math.random() * 1000);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const i = n++;
        const t0 = performance.now();
        const result = await graphql(running.gatewayUrl, FLAGSHIP, { variables: { id: seeds[(i * 7) % seeds.length]! }, token: tokens[i % tokens.length]! });
        sample.latencies.push(performance.now() - t0);
        if (result.errors || result.status !== 200) sample.errors += 1;
      }
    }),
  );
  loop.disable();
  sample.seconds += (performance.now() - started) / 1000;
  sample.calls += engine.runner.counters.calls - callsBefore;
  const hits = engine.metrics.cacheHits - hitsBefore;
  sample.hits += hits;
  sample.lookups += hits + engine.metrics.cacheMisses - missesBefore;
  sample.loopP99.push(loop.percentile(99) / 1e6);
  sample.loopMax = Math.max(sample.loopMax, loop.max / 1e6);
}

function summarise(label: string, sample: Sample): RunResult {
  const latencies = [...sample.latencies].sort((a, b) => a - b);
  return {
    label,
    requests: latencies.length,
    errors: sample.errors,
    throughput: round(latencies.length / sample.seconds, 1),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    loopDelayP99Ms: round(Math.max(...sample.loopP99)),
    loopDelayMaxMs: round(sample.loopMax),
    inferenceCalls: sample.calls,
    cacheHitRate: sample.lookups === 0 ? 0 : round(sample.hits / sample.lookups, 3),
  };
}

const CONFIGURATIONS: { label: string; options: Partial<EngineOptions> }[] = [
  { label: "batching + caching", options: { batching: true, caching: true } },
  { label: "caching only (batching off)", options: { batching: false, caching: true } },
  { label: "batching only (caching off)", options: { batching: true, caching: false } },
  { label: "neither", options: { batching: false, caching: false } },
];
/** Interleaved rounds, so drift (JIT, connection pools, cache fill) does not favour whichever runs last. */
const ROUNDS = 4;

/** Scores for one reader over many books: one session.run per batch vs one per pair. */
async function scoringRate(batching: boolean): Promise<{ label: string; scoresPerSecond: number; calls: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> {
  engine.configure({ batching });
  const books = (await prisma.book.findMany({ select: { id: true }, take: 1000, orderBy: { id: "asc" } })).map((b) => b.id);
  const callsBefore = engine.runner.counters.calls;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  let scored = 0;
  while (performance.now() - started < 3000) {
    const scores = await engine.scores(readers[scored % readers.length]!, books);
    scored += scores.size;
  }
  loop.disable();
  return {
    label: batching ? "batched (worker pool for large batches)" : "one pair per call",
    scoresPerSecond: Math.round(scored / ((performance.now() - started) / 1000)),
    calls: engine.runner.counters.calls - callsBefore,
    loopDelayP99Ms: round(loop.percentile(99) / 1e6),
    loopDelayMaxMs: round(loop.max / 1e6),
  };
}

try {
  // A warm-up so JIT, pools and the cache do not count against the first configuration.
  await loadSlice({ latencies: [], errors: 0, seconds: 0, calls: 0, hits: 0, lookups: 0, loopP99: [], loopMax: 0 }, { batching: true, caching: true }, 3);
  const samples = CONFIGURATIONS.map(() => ({ latencies: [], errors: 0, seconds: 0, calls: 0, hits: 0, lookups: 0, loopP99: [], loopMax: 0 }) as Sample);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [c, configuration] of CONFIGURATIONS.entries()) await loadSlice(samples[c]!, configuration.options, SECONDS / ROUNDS);
  }
  const runs = CONFIGURATIONS.map((configuration, c) => summarise(configuration.label, samples[c]!));
  const base = runs[0]!;
  const scoring = [await scoringRate(true), await scoringRate(false)];
  engine.configure({ batching: true, caching: true });

  console.log(`\nFlagship query, ${CONCURRENCY} concurrent clients, ${SECONDS} s each in ${ROUNDS} interleaved rounds (${target.name}${process.env.REDIS_URL ? " + redis" : ""}, ${BOOKS} books, ${USERS} readers)\n`);
  console.table(
    runs.map((run) => ({
      configuration: run.label,
      "req/s": run.throughput,
      "p50 ms": run.p50,
      "p95 ms": run.p95,
      "p99 ms": run.p99,
      errors: run.errors,
      "inference calls": run.inferenceCalls,
      "cache hit rate": run.cacheHitRate,
      "loop delay p99 ms": run.loopDelayP99Ms,
      "loop delay max ms": run.loopDelayMaxMs,
    })),
  );
  console.log("\nRatios to batching + caching (throughput all-on / this and latency this / all-on: above 1 means the all-on run is better)\n");
  console.table(
    runs.slice(1).map((run) => ({
      configuration: run.label,
      "throughput all-on / this": round(base.throughput / run.throughput),
      "p50 this / all-on": round(run.p50 / base.p50),
      "p95 this / all-on": round(run.p95 / base.p95),
      "p99 this / all-on": round(run.p99 / base.p99),
    })),
  );
  console.log("\nScoring one reader against 1000 books, 3 s each\n");
  console.table(scoring);
  console.log(`batched / per-pair scores per second: ${round(scoring[0]!.scoresPerSecond / scoring[1]!.scoresPerSecond, 1)}x`);
  console.log(JSON.stringify({ runs, scoring }));
} finally {
  await running.stop();
  await models.remove();
}
