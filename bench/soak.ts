/**
 * `npx tsx bench/soak.ts`: memory under steady load. Starts every service as its
 * own process on a private PostgreSQL and Redis (the fault suite's stack), drives
 * the flagship query, anonymous similar lists and ratings from SOAK_CLIENTS
 * clients for SOAK_MINUTES (default 10), and prints each process's RSS every
 * SOAK_INTERVAL_SECONDS (default 30). After the first minute (warm-up: JIT, model
 * sessions, caches filling) no process may grow by more than 10% of its RSS at that
 * point; the script exits 1 if one does. Each process's RSS is read from /proc.
 * SOAK_SERVICE_ENV ("NAME=value NAME=value") adds settings to every service, to soak
 * two configurations one after the other.
 *
 * Each client is one reader (its token) at one address (X-Forwarded-For through a
 * gateway trusting one proxy hop, as behind a load balancer) and keeps a pace under
 * SOAK_RATE_SHARE (default 0.8) of the gateway's per-caller rate limit, read from
 * the same configuration the services get: the soak measures served traffic, not
 * RATE_LIMITED refusals. Every answer with an error is counted by its code.
 */
import { readFileSync } from "node:fs";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfig } from "../lib/config.ts";
import { apiSchemaOf, paceIntervalMs, type PacedOperation } from "./harness/rate-pace.ts";
import { postGraphQL, sleep, startLoad, summarise, type LoadRequest } from "../test/faults/support/load.ts";
import { startFaultStack, type ServiceName } from "../test/faults/support/stack.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const INTERVAL_SECONDS = Number(process.env.SOAK_INTERVAL_SECONDS ?? 30);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 10);
const WARM_UP_SECONDS = Number(process.env.SOAK_WARM_UP_SECONDS ?? 60);
const RATE_SHARE = Number(process.env.SOAK_RATE_SHARE ?? 0.8);
const BOOKS = 2_000;
/** SOAK_PRIME=false measures from a cold start: the first minutes then include the caches filling up to their bounds. */
const PRIME = process.env.SOAK_PRIME !== "false";
const ALLOWED_GROWTH = 0.1;

const FLAGSHIP = `query Flagship($id: ID!) {
  book(id: $id) { id title score similar(limit: 10) { book { id title score } score algorithm source } }
}`;
const ANONYMOUS = `query Similar($id: ID!) { book(id: $id) { title similar(limit: 10) { book { title } score } } }`;
const RATE = `mutation Rate($bookId: ID!, $rating: Int!) { rateBook(bookId: $bookId, rating: $rating) { rating } }`;

/** The V8 heap in use, from the process's own /metrics (its port is in its "serving metrics" log line): RSS growth with a flat heap is native memory. */
async function heapUsedMiB(process: { lines: string[] }): Promise<number | undefined> {
  const line = process.lines.find((text) => text.includes('"serving metrics"'));
  const port = line ? (JSON.parse(line) as { port?: number }).port : undefined;
  if (!port) return undefined;
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const bytes = Number(/^shelfgraph_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]);
    return Number.isFinite(bytes) ? Math.round((bytes / 1048576) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

const SERVICE_ENV: Record<string, string> = {
  // Each client's X-Forwarded-For is its address, as a load balancer in front would set it.
  TRUST_PROXY_HOPS: "1",
  ...Object.fromEntries(
    (process.env.SOAK_SERVICE_ENV ?? "").split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  ),
};
console.log(`services run with ${JSON.stringify(SERVICE_ENV)}`);

/** The n-th address of a /16 network, as a load balancer's X-Forwarded-For: one per soak client, one per priming request. */
const forwardedFor = (network: string, n: number) => ({ "x-forwarded-for": `${network}.${Math.floor(n / 250)}.${1 + (n % 250)}` });

/** The n-th request of a client: ratings, anonymous similar lists and the signed-in flagship, over many books. */
function operationOf(client: number, n: number): PacedOperation & { kind: string } {
  // Spread over many books so caches fill and keep turning over, as real traffic does.
  const book = String(1 + ((client * 131 + n * 17) % BOOKS));
  if (n % 10 === 9) return { kind: "rate", query: RATE, variables: { bookId: book, rating: 1 + (n % 5) }, caller: "reader" };
  if (n % 3 === 0) return { kind: "anonymous", query: ANONYMOUS, variables: { id: book }, caller: "address" };
  return { kind: "flagship", query: FLAGSHIP, variables: { id: book }, caller: "reader" };
}

const config = loadConfig({ NODE_ENV: "test", ...SERVICE_ENV });
const cycle = Array.from({ length: 30 }, (_unused, n) => operationOf(0, n));
const pace = paceIntervalMs(apiSchemaOf(config.SUPERGRAPH_PATH), cycle, config, RATE_SHARE);
console.log(
  `each client at most one request per ${pace.intervalMs.toFixed(1)} ms (${((CLIENTS * 1000) / pace.intervalMs).toFixed(0)} req/s in all): ` +
    `${RATE_SHARE * 100}% of RATE_LIMIT_PER_MINUTE ${config.RATE_LIMIT_PER_MINUTE} per reader and per address ` +
    `(units per ${cycle.length} requests: ${JSON.stringify(pace.unitsPerCycle)})`,
);

/**
 * Every book's anonymous similar list once, before the clock starts, each from an address
 * of its own (so no caller's rate limit is spent): the edge's response cache and the
 * recommendations' list cache then hold what the soak's traffic will keep asking for, and
 * growth measured after the first minute is growth per request, not caches filling up to
 * their bounds (2,000 books at the soak's pace take about three minutes to be all asked for).
 */
async function primeCaches(gatewayUrl: string): Promise<{ seconds: number; failed: number }> {
  const started = performance.now();
  let next = 1;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next <= BOOKS) {
        const book = next++;
        const answer = await postGraphQL(gatewayUrl, ANONYMOUS, { id: String(book) }, undefined, forwardedFor("10.9", book));
        if (answer.status !== 200 || answer.body?.errors) failed += 1;
      }
    }),
  );
  return { seconds: Math.round((performance.now() - started) / 100) / 10, failed };
}

const stack = await startFaultStack({ books: BOOKS, users: 1_000, seed: 7 }, SERVICE_ENV);
try {
  if (PRIME) {
    const primed = await primeCaches(stack.gatewayUrl);
    console.log(`caches primed: ${BOOKS} books' similar lists in ${primed.seconds} s, ${primed.failed} failed`);
  }
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_unused, i) => signAccessToken(config, { userId: 1 + i * 7, role: "READER" })));
  const load = startLoad(
    CLIENTS,
    (client, n): LoadRequest => {
      const { kind, query, variables, caller } = operationOf(client, n);
      const address = forwardedFor("10.0", client);
      return { kind, send: () => postGraphQL(stack.gatewayUrl, query, variables, caller === "reader" ? tokens[client] : undefined, address) };
    },
    { intervalMs: pace.intervalMs },
  );

  const names = [...stack.processes.keys()] as ServiceName[];
  const series = new Map<ServiceName, { second: number; rss: number; heap?: number }[]>(names.map((name) => [name, []]));
  const sample = async () => {
    const second = Math.round(load.now() / 1000);
    for (const name of names) {
      const service = stack.processes.get(name)!;
      series.get(name)!.push({ second, rss: rssMiB(service.child.pid!), heap: await heapUsedMiB(service) });
    }
    const window = summarise(load.samples, load.now() - INTERVAL_SECONDS * 1000, load.now());
    console.log(
      `t=${String(second).padStart(4)}s  ` +
        names.map((name) => `${name} ${series.get(name)!.at(-1)!.rss} MiB (heap ${series.get(name)!.at(-1)!.heap ?? "?"})`).join("  ") +
        `  | ${window.perSecond} req/s p99 ${window.p99} ms errors ${JSON.stringify(window.errors)}`,
    );
  };
  await sample();
  const end = MINUTES * 60 * 1000;
  while (load.now() < end) {
    await sleep(Math.min(INTERVAL_SECONDS * 1000, end - load.now()));
    await sample();
  }
  const samples = await load.stop();

  console.log(`\n${samples.length} requests in ${MINUTES} min (${CLIENTS} clients); growth after the first ${WARM_UP_SECONDS} s:`);
  let failed = false;
  for (const name of names) {
    const points = series.get(name)!;
    const base = points.find((point) => point.second >= WARM_UP_SECONDS) ?? points.at(-1)!;
    const later = points.filter((point) => point.second > base.second);
    const peak = Math.max(base.rss, ...later.map((point) => point.rss));
    const last = points.at(-1)!.rss;
    const growth = (peak - base.rss) / base.rss;
    const verdict = growth > ALLOWED_GROWTH ? "GROWS" : "flat";
    if (growth > ALLOWED_GROWTH) failed = true;
    console.log(
      `  ${name.padEnd(16)} at ${base.second}s ${base.rss} MiB, peak after ${peak} MiB (+${(growth * 100).toFixed(1)}%), last ${last} MiB  ${verdict}` +
        `  (V8 heap used ${base.heap ?? "?"} -> ${points.at(-1)!.heap ?? "?"} MiB)`,
    );
  }
  const overall = summarise(samples, 0, load.now());
  const clean = samples.filter((sample) => sample.codes.length === 0 && sample.status === 200).length;
  console.log(
    `  overall ${overall.perSecond} req/s, ${clean} of ${samples.length} answered without error, p50 ${overall.p50} ms, p99 ${overall.p99} ms, ` +
      `answers with errors by code ${JSON.stringify(overall.errors)}`,
  );
  process.exitCode = failed ? 1 : 0;
} finally {
  await stack.close();
}
