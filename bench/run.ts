/**
 * `npm run bench [-- --quick] [--no-build] [--only SETUP,...] [--pairs N]`: every scenario of the
 * performance issue, side by side in one run, written to bench/results/latest.md,
 * latest.json and latest.svg (and the README's results table).
 *
 * Setups (each started fresh, then stopped before the next):
 *   ours-multi          this checkout compiled (dist/), one process per service, PostgreSQL + Redis
 *   ours-multi-no-cache the same with the recommendation and Book row caches and inference batching off
 *   stock-gateway       @apollo/gateway + @apollo/server as documented, over ours-multi's subgraphs
 *   direct              ours-multi's books subgraph queried without a gateway
 *   reference-multi     the reference commit (REFERENCE_COMMIT, 313afb2) from a temporary git worktree, as it ran (tsx)
 *   ours-embedded       `npm start`'s single process on PGlite (dist/start.js)
 *   reference-embedded  the reference commit's `npm start` on PGlite
 *
 * After the reference's rounds, ours is started again beside it and the two take turns at
 * the signed-in flagship (--pairs N, 3 by default in a full run): the issue's multi-process
 * ratio is read from the medians of those rounds as well as from each side's first round.
 *
 * Load comes from autocannon in a separate process (bench/harness/load.ts); each
 * server process reports RSS, CPU and event-loop delay through a preloaded probe
 * (bench/harness/probe.mjs). Data is each code's own first `npm start` on an empty
 * database (demo data + first training), prepared once under bench/.work and reused.
 * Needs PostgreSQL and Redis (BENCH_POSTGRES_URL, BENCH_REDIS_URL; defaults
 * 127.0.0.1:5432 user postgres, 127.0.0.1:6379); without them only the embedded setups run.
 * BENCH_DATABASE_PREFIX (default shelfgraph_bench) names its databases, so two
 * checkouts can benchmark side by side on one server.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { heapNodeFlags } from "../lib/server/heap-limits.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfig } from "../lib/config.ts";
import { prepareData } from "./harness/data.ts";
import type { LoadJob, LoadResult } from "./harness/load.ts";
import { profileClockMicros, profileMarkdown, type ProfileWindow } from "./harness/profile-summary.ts";
import { alternate, type PairedRounds } from "./harness/paired-rounds.ts";
import { prepareReference } from "./harness/reference.ts";
import { PRIME_BOOKS, SCENARIOS } from "./harness/scenarios.ts";
import { reachable, setupStarters, stopAll } from "./harness/setups.ts";
import { freePorts } from "../test/support/ports.ts";
import { writeReport, type BenchReport, type RunRecord } from "./harness/report.ts";
import { usageBetween, type Service } from "./harness/services.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    only: { type: "string" },
    seconds: { type: "string" },
    connections: { type: "string" },
    pairs: { type: "string" },
    profile: { type: "boolean", default: false },
    scenario: { type: "string" },
  },
});
/**
 * --profile: ours only (both setups, or those --only names), one scenario (--scenario, the signed-in
 * flagship by default), every process under --cpu-prof; summaries to bench/results/profile-latest.md.
 */
const PROFILE = args.profile!;
const QUICK = args.quick!;
const SECONDS = Number(args.seconds ?? (QUICK ? 5 : 20));
const WARMUP_SECONDS = QUICK ? 2 : 5;
const CONNECTIONS = (args.connections ?? (QUICK ? "50" : "10,50,100")).split(",").map(Number);
const PROFILE_SETUPS = ["ours-multi", "ours-embedded"];
/**
 * --pairs N: after the reference's own rounds, ours is started again beside it and the two
 * take turns at the signed-in flagship, 50 connections, N rounds each (3 in a full run, none
 * in a quick one); the issue's multi-process lines are read from their medians.
 */
const PAIRS = Number(args.pairs ?? (QUICK ? 0 : 3));
const ONLY = args.only ? new Set(args.only.split(",")) : PROFILE ? new Set(PROFILE_SETUPS) : null;
const PROFILE_SCENARIO = args.scenario ?? "flagship-signed-in";
if (!SCENARIOS[PROFILE_SCENARIO]) throw new Error(`--scenario ${PROFILE_SCENARIO}: not one of ${Object.keys(SCENARIOS).join(", ")}`);
const REFERENCE_COMMIT = process.env.REFERENCE_COMMIT ?? "313afb2";
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const BOOKS = 10_000;
const READERS = 2_000;

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const WORK = join(ROOT, "bench/.work");
// One folder per run (logs, probe samples, profiles): runs side by side never clear each other's.
const RUN_DIR = join(WORK, "runs", new Date().toISOString().replace(/[:.]/g, "-"));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// Production settings for every server process, ours and the reference alike.
const JWT_SECRET = "shelfgraph-bench-secret-0123456789abcdef";
// The rate limit stays on (its cost is part of every request) but high enough that one
// load generator standing in for thousands of clients is not turned away. Production
// requires both secrets; the bench mints its tokens with JWT_SECRET (config below).
const INTERNAL_SECRET = "shelfgraph-bench-internal-secret-0123456789";
const SERVER_ENV = {
  NODE_ENV: "production",
  JWT_SECRET,
  INTERNAL_SECRET,
  HOST: "127.0.0.1",
  LOG_LEVEL: "info",
  RATE_LIMIT_PER_MINUTE: "1000000000",
  // Several processes on one host: each its own free metrics port.
  METRICS_PORT: "0",
};

const config = loadConfig({ JWT_SECRET, NODE_ENV: "test" });
const tokens = await Promise.all(Array.from({ length: READERS }, (_, i) => signAccessToken(config, { userId: i + 1, role: "READER" }, "6h")));
const { startMulti, startStockGateway, startEmbedded } = setupStarters({ root: ROOT, runDir: RUN_DIR, serverEnv: SERVER_ENV, redisUrl: REDIS, profile: PROFILE });
const runs: RunRecord[] = [];
let paired: PairedRounds | undefined;
const firstStarts: Record<string, number> = {};
const fullModels: Record<string, number> = {};
const skipped: string[] = [];
const wanted = (setup: string) => !ONLY || ONLY.has(setup);
const profileWindows = new Map<string, ProfileWindow>();

async function load(setup: string, scenario: string, url: string, connections: number, services: Service[]): Promise<void> {
  runs.push(await measure(setup, scenario, url, connections, services));
}

/** One scenario's warm-up and measured run against one setup, logged. */
async function measure(setup: string, scenario: string, url: string, connections: number, services: Service[]): Promise<RunRecord> {
  const definition = SCENARIOS[scenario]!;
  const job = (seconds: number): LoadJob => ({ url, connections, seconds, steps: definition.steps, tokens: definition.signedIn ? tokens : [], books: BOOKS });
  await runLoad(job(WARMUP_SECONDS));
  const from = Date.now();
  const fromMicros = profileClockMicros();
  const loadBefore = loadavg()[0]!;
  const result = await runLoad(job(SECONDS));
  const to = Date.now();
  // --profile runs one scenario per setup: its profiles are summarised over this window only.
  profileWindows.set(setup, { fromMicros, toMicros: profileClockMicros() });
  const record: RunRecord = {
    setup,
    scenario,
    connections,
    seconds: SECONDS,
    ...result,
    load1: Math.round(((loadBefore + loadavg()[0]!) / 2) * 100) / 100,
    processes: services.map((service) => usageBetween(service, from, to)),
  };
  log(`${setup} ${scenario} c=${connections}: ${result.throughput} req/s p50 ${result.p50} p99 ${result.p99} ms, ${result.errors} errors${result.errorSamples[0] ? ` (${result.errorSamples[0].slice(0, 120)})` : ""}`);
  return record;
}

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // The job (with its 2,000 tokens) is too long for a command line: it goes in a file.
    const jobFile = join(RUN_DIR, "load-job.json");
    writeFileSync(jobFile, JSON.stringify(job));
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/harness/load.ts"), jobFile], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1)!) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/**
 * Setups that share subgraph processes (ours-multi, direct, stock-gateway) are measured one
 * after another, and the subgraphs' caches (Book rows, similar lists, readers' histories)
 * fill as books and readers are asked for: whichever setup ran later would meet warmer
 * caches. So before any measured run every book is asked for once (title and similar
 * list, anonymous: PRIME_BOOKS is no measured query, so the answers our gateway's
 * response cache keeps for it serve no measured request) and every reader once (the
 * signed-in flagship, never cached at the edge); then each setup gets its usual warm-up.
 */
async function primeCaches(url: string): Promise<void> {
  const started = performance.now();
  const books = await runLoad({ url, connections: 50, seconds: 0, steps: [{ query: PRIME_BOOKS, variables: { id: "$book" } }], tokens: [], books: BOOKS, sweep: BOOKS });
  const readers = await runLoad({ url, connections: 50, seconds: 0, steps: SCENARIOS["flagship-signed-in"]!.steps, tokens, books: BOOKS, sweep: READERS });
  log(`caches primed: ${books.requests} books and ${readers.requests} readers in ${Math.round((performance.now() - started) / 100) / 10} s, ${books.errors + readers.errors} errors`);
}

async function scenarios(setup: string, url: string, list: string[], services: Service[]): Promise<void> {
  for (const connections of CONNECTIONS) for (const scenario of list) await load(setup, scenario, url, connections, services);
}

// ---- the run -------------------------------------------------------------------------

const startedAt = new Date();
mkdirSync(RUN_DIR, { recursive: true });
if (!args["no-build"]) {
  log("npm run build");
  const built = spawnSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (built.status !== 0) throw new Error("npm run build failed");
}
const referenceDir = prepareReference(ROOT, REFERENCE_COMMIT, log);
const treeKey = (dir: string, paths: string[]) => spawnSync("git", ["-C", dir, "rev-parse", ...paths.map((p) => `HEAD:${p}`)], { encoding: "utf8" }).stdout.replace(/\s+/g, "");
const oursKey = treeKey(ROOT, ["prisma/seed", "prisma/migrations", "ml-models", "lib/models"]);
const withServers = (await reachable(POSTGRES)) && (await reachable(REDIS));
if (!withServers) skipped.push("multi-process setups: PostgreSQL or Redis not reachable");

const prepared = async (name: string, codeDir: string, startScript: string, postgres: boolean, key: string) => {
  const [gatewayPort, basePort] = await freePorts(2);
  const data = await prepareData(
    {
      name,
      key,
      codeDir,
      startScript,
      workDir: WORK,
      postgresServerUrl: postgres ? POSTGRES : undefined,
      env: { ...SERVER_ENV, ...(postgres ? { REDIS_URL: REDIS } : {}) },
      nodeArgs: codeDir === ROOT ? heapNodeFlags("embedded") : [],
      gatewayPort: gatewayPort!,
      // Four consecutive ports for the subgraphs, well away from the free one found.
      basePort: 20_000 + (basePort! % 20_000),
    },
    log,
  );
  if (data.firstStartSeconds !== null) firstStarts[name] = data.firstStartSeconds;
  if (data.fullModelsSeconds !== null) fullModels[name] = data.fullModelsSeconds;
  return data;
};

if (withServers && (wanted("ours-multi") || wanted("stock-gateway") || wanted("direct") || wanted("ours-multi-no-cache"))) {
  const data = await prepared("ours-postgres", ROOT, "dist/start.js", true, oursKey);
  const multi = await startMulti("ours-multi", ROOT, "js", data);
  const services: Service[] = [...multi.services];
  try {
    const stock = wanted("stock-gateway") && !PROFILE ? await startStockGateway(multi.urls) : undefined;
    if (stock) services.push(stock);
    await primeCaches(multi.gateway);
    if (PROFILE) await scenarios("ours-multi", multi.gateway, [PROFILE_SCENARIO], multi.services);
    else {
      const subgraphs = multi.services.filter((s) => s.role !== "gateway");
      const contenders = [
        ...(wanted("ours-multi")
          ? [{ setup: "ours-multi", url: multi.gateway, list: QUICK ? ["flagship-signed-in", "flagship-anonymous", "book-title", "search", "reader-recommendations", "rate-then-recommendations"] : Object.keys(SCENARIOS), services: multi.services }]
          : []),
        ...(stock ? [{ setup: "stock-gateway", url: `${stock.url}/`, list: ["flagship-signed-in", "book-title"], services: [stock, ...subgraphs] }] : []),
      ];
      // Our gateway and the stock one take turns scenario by scenario, first one then the other
      // first, so neither always meets the subgraphs right after the other's load.
      let turn = 0;
      for (const connections of CONNECTIONS) {
        for (const scenario of Object.keys(SCENARIOS)) {
          const due = contenders.filter((contender) => contender.list.includes(scenario));
          if (due.length > 1 && turn++ % 2 === 1) due.reverse();
          for (const contender of due) await load(contender.setup, scenario, contender.url, connections, contender.services);
        }
      }
    }
    if (wanted("direct") && !PROFILE) await scenarios("direct", multi.urls.books!, ["book-title"], multi.services.filter((s) => s.role === "books"));
  } finally {
    await stopAll(services, multi.namespace);
  }
  if (wanted("ours-multi-no-cache")) {
    const off = await startMulti("ours-multi-no-cache", ROOT, "js", data, { RECOMMENDATION_CACHE: "false", BOOK_CACHE_SIZE: "0", INFERENCE_BATCHING: "false" });
    try {
      await scenarios("ours-multi-no-cache", off.gateway, ["flagship-signed-in"], off.services);
    } finally {
      await stopAll(off.services, off.namespace);
    }
  }
}

if (withServers && wanted("reference-multi")) {
  const data = await prepared("reference-postgres", referenceDir, "start.ts", true, REFERENCE_COMMIT);
  const multi = await startMulti("reference-multi", referenceDir, "ts", data);
  try {
    await scenarios("reference-multi", multi.gateway, QUICK ? ["flagship-signed-in", "book-title"] : ["flagship-signed-in", "flagship-anonymous", "book-title"], multi.services);
    if (PAIRS > 0 && wanted("ours-multi")) {
      const oursData = await prepared("ours-postgres", ROOT, "dist/start.js", true, oursKey);
      const ours = await startMulti("ours-multi-paired", ROOT, "js", oursData);
      try {
        await primeCaches(ours.gateway);
        const scenario = "flagship-signed-in";
        const rounds = await alternate(
          PAIRS,
          () => measure("ours-multi", scenario, ours.gateway, 50, ours.services),
          () => measure("reference-multi", scenario, multi.gateway, 50, multi.services),
        );
        paired = { scenario, connections: 50, rounds };
      } finally {
        await stopAll(ours.services, ours.namespace);
      }
    }
  } finally {
    await stopAll(multi.services, multi.namespace);
  }
}

for (const [setup, codeDir, script, key] of [
  ["ours-embedded", ROOT, "dist/start.js", oursKey],
  ["reference-embedded", referenceDir, "start.ts", REFERENCE_COMMIT],
] as const) {
  if (!wanted(setup)) continue;
  const data = await prepared(setup.replace("-embedded", "-pglite"), codeDir, script, false, key);
  const embedded = await startEmbedded(setup, codeDir, script, data);
  try {
    await scenarios(setup, embedded.gateway, PROFILE ? [PROFILE_SCENARIO] : ["flagship-signed-in", "book-title"], embedded.services);
  } finally {
    await stopAll(embedded.services);
  }
}

if (PROFILE) {
  const header = [
    `Made by \`npm run bench -- --profile --scenario ${PROFILE_SCENARIO}\` at ${new Date().toISOString()} (load average ${loadavg().map((n) => n.toFixed(2)).join(" / ")}). Self time per process.`,
    ...runs.map((run) => `Load: ${run.setup} ${run.scenario} c=${run.connections}: ${run.throughput} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.errors} errors`),
  ];
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/profile-latest.md"), profileMarkdown(`${PROFILE_SCENARIO}, the load window`, header, PROFILE_SETUPS.filter(wanted).map((setup) => join(RUN_DIR, setup, "profiles")), profileWindows));
  log("wrote bench/results/profile-latest.md");
  process.exit(0);
}

const report: BenchReport = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  mode: QUICK ? "quick" : "full",
  seconds: SECONDS,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100),
  },
  reference: { commit: REFERENCE_COMMIT, head: execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim() },
  firstStartSeconds: firstStarts,
  fullModelsSeconds: fullModels,
  skipped,
  runs,
  ...(paired ? { paired } : {}),
};
const written = writeReport(report, join(ROOT, "bench/results"), join(ROOT, "README.md"));
log(`wrote ${written.join(", ")}`);
