/**
 * `node --expose-gc --import tsx bench/subscriptions.ts`: event-to-client latency of
 * `trendingChanged` with BENCH_SUBSCRIBERS (1,000) concurrent WebSocket subscribers,
 * each event's books resolved through the gateway's query planner (titles and three
 * similar books each), as p50/p95/p99 from the event's `changedAt` to its receipt, and
 * the server's memory per open subscription (heap + external, after GC, measured in
 * the server's thread: the clients run in a worker thread with a heap of their own).
 * Run side by side: anonymous subscribers (one planned query per event, shared) and
 * BENCH_SIGNED_IN (100) signed-in readers (one planned query per reader per event).
 * PGlite in memory and in-process stream by default; DATABASE_URL / REDIS_URL as in the tests.
 */
import { Worker } from "node:worker_threads";
import { setTimeout as sleep } from "node:timers/promises";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "../test/support/databases.ts";
import { graphql } from "../test/support/graphql-client.ts";
import { startTestSupergraph } from "../test/support/supergraph.ts";
import { trainTestModels } from "../test/support/trained-models.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const SIGNED_IN = Number(process.env.BENCH_SIGNED_IN ?? 100);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 12);
const QUERY = `subscription { trendingChanged(window: HOUR, limit: 10) { changedAt books { book { id title similar(limit: 3) { book { title } } } score } } }`;

const gc = (globalThis as { gc?: () => void }).gc;
const heap = async () => {
  for (let round = 0; round < 3; round += 1) {
    gc?.();
    await sleep(50);
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const target = databaseTargets().at(-1)!;
console.log(`starting the supergraph (${target.name}${process.env.REDIS_URL ? " + redis" : ""}) ...`);
const running = await startTestSupergraph(target, { books: 400, users: 300, seed: 3 });
const models = await trainTestModels(running.runtime);
const wsUrl = running.gatewayUrl.replace(/^http/, "ws");
const tokens = await Promise.all(Array.from({ length: 300 }, (_, index) => signAccessToken(running.runtime.config, { userId: index + 1, role: "READER" })));
let viewer = 0;
let nextBook = 1;

async function run(label: string, count: number, authorizations: (string | undefined)[]) {
  const before = await heap();
  const worker = new Worker(new URL("./subscription-clients.mjs", import.meta.url), { workerData: { url: wsUrl, count, query: QUERY, authorizations } });
  const messages: { type: string; [key: string]: unknown }[] = [];
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const index = messages.findIndex((message) => message.type === type);
        if (index >= 0) return resolve(messages.splice(index, 1)[0]!);
        setTimeout(check, 10);
      };
      check();
    });
  worker.on("message", (message) => messages.push(message));
  await next("opened");
  await sleep(1500 + count); // connection_init and subscribe for every client
  const open = await heap();
  const perSubscriber = (open - before) / count;

  const startedAt = Date.now();
  let delivered = 0;
  for (let event = 0; event < EVENTS; event += 1) {
    // A book no one viewed in this run enters the hour's top 10: one TRENDING_CHANGED.
    const bookId = String(nextBook++);
    for (let view = 0; view < 3; view += 1) {
      await graphql(running.gatewayUrl, `mutation { recordBookView(bookId: "${bookId}") }`, { token: tokens[viewer++ % tokens.length] });
    }
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      worker.postMessage({ type: "count", bookId });
      const reply = await next("count");
      if ((reply.subscribers as number) >= count) {
        delivered += 1;
        break;
      }
      await sleep(50);
    }
  }
  const seconds = (Date.now() - startedAt) / 1000;
  worker.postMessage({ type: "report" });
  const report = await next("report");
  worker.postMessage({ type: "close" });
  await next("closed");
  await worker.terminate();
  const latencies = (report.latencies as number[]).sort((a, b) => a - b);
  if ((report.errorSamples as string[] | undefined)?.length) console.log(`${label}: errors such as`, report.errorSamples);
  return {
    label,
    subscribers: count,
    events: `${delivered}/${EVENTS} reached every subscriber`,
    pushes: report.received as number,
    errors: report.errors as number,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    pushesPerSecond: Math.round((report.received as number) / seconds),
    kbPerSubscriber: Math.round(perSubscriber / 102.4) / 10,
  };
}

try {
  const anonymous = await run("anonymous (shared planned query)", SUBSCRIBERS, [undefined]);
  const signedIn = await run("signed in (a planned query each)", SIGNED_IN, tokens.slice(0, SIGNED_IN).map((token) => `Bearer ${token}`));
  console.log(gc ? "" : "(run with node --expose-gc for exact memory figures)");
  console.table([anonymous, signedIn].map((row) => ({ ...row, p50: `${row.p50} ms`, p95: `${row.p95} ms`, p99: `${row.p99} ms` })));
} finally {
  await running.stop();
  await models.remove();
}
