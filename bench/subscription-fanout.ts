/**
 * `node --import tsx bench/subscription-fanout.ts [--profile DIR]`: the gateway's
 * cost of fanning one event out to BENCH_SUBSCRIBERS (1,000) anonymous subscribers
 * of `trendingChanged { books { book { title similar(limit: 3) { book { title } } } } }`.
 *
 * BENCH_EVENTS (20) TRENDING_CHANGED events are published on the bus exactly as the
 * trending role publishes them (each a new ranking, so every subscriber gets each),
 * one at a time, each once every subscriber has the previous one. The main thread's
 * CPU during the fan-outs (the whole supergraph runs there; the subscribers run in a
 * worker thread) is sampled with V8's profiler: busy ms per event and where it went
 * (self time by area, hottest functions). --profile DIR also writes the .cpuprofile.
 * Embedded (PGlite, in-process bus); REDIS_URL makes the bus Redis.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { setTimeout as sleep } from "node:timers/promises";
import { publishTrendingChanged } from "../lib/events/trending-changed.ts";
import { databaseTargets } from "../test/support/databases.ts";
import { startTestSupergraph } from "../test/support/supergraph.ts";
import { summarise } from "./harness/profile-summary.ts";

const { values } = parseArgs({ options: { profile: { type: "string" } } });
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Math.min(35, Number(process.env.BENCH_EVENTS ?? 20));
const QUERY = `subscription { trendingChanged(window: HOUR, limit: 10) { changedAt books { book { id title similar(limit: 3) { book { title } } } } } }`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const running = await startTestSupergraph(databaseTargets()[0]!, { books: 400, users: 300, seed: 3 });
const worker = new Worker(new URL("./subscription-clients.mjs", import.meta.url), {
  workerData: { url: running.gatewayUrl.replace(/^http/, "ws"), count: SUBSCRIBERS, query: QUERY, authorizations: [undefined] },
});
const messages: Record<string, unknown>[] = [];
worker.on("message", (message) => messages.push(message));
const next = async (type: string) => {
  for (;;) {
    const index = messages.findIndex((message) => message.type === type);
    if (index >= 0) return messages.splice(index, 1)[0]!;
    await sleep(5);
  }
};
const session = new Session();
try {
  await next("opened");
  await sleep(1500 + SUBSCRIBERS); // connection_init and subscribe for every client
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 500 });
  await session.post("Profiler.start");
  const startedAt = Date.now();
  let delivered = 0;
  for (let event = 0; event < EVENTS; event += 1) {
    // Ten books no earlier top 10 named (books 1..400 exist): every subscriber is sent it, and counts it by its head.
    const head = 1 + event * 10;
    const books = Array.from({ length: 50 }, (_, index) => ({ bookId: head + index, score: 100 - index, readers: 10, interactions: 20 }));
    await publishTrendingChanged(running.runtime.pubsub, { window: "HOUR", books, changedAt: new Date().toISOString() });
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      worker.postMessage({ type: "count", bookId: String(head) });
      if (((await next("count")).subscribers as number) >= SUBSCRIBERS) {
        delivered += 1;
        break;
      }
      await sleep(10);
    }
  }
  const wallMs = Date.now() - startedAt;
  const { profile } = await session.post("Profiler.stop");
  if (values.profile) await writeFile(join(values.profile, `fanout-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  const summary = summarise(profile as Parameters<typeof summarise>[0], 12);
  const idleMs = summary.areas.find((area) => area.name === "(idle)")?.ms ?? 0;
  worker.postMessage({ type: "report" });
  const report = await next("report");
  const latencies = (report.latencies as number[]).sort((a, b) => a - b);
  console.log(`\n${SUBSCRIBERS} subscribers, ${delivered}/${EVENTS} events reached all; ${report.received} pushes, ${report.errors} errors; load average ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  console.log(`main thread busy ${summary.totalMs - idleMs} ms over ${wallMs} ms: ${Math.round((summary.totalMs - idleMs) / EVENTS)} ms of CPU per event fanned out`);
  console.log(`latency (changedAt → client): p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, p99 ${percentile(latencies, 99)} ms`);
  console.table(summary.areas.filter((area) => area.name !== "(idle)").map((area) => ({ area: area.name, ms: area.ms })));
  console.table(summary.functions.filter((fn) => !fn.name.startsWith("(idle)")).map((fn) => ({ function: fn.name, ms: fn.ms })));
  worker.postMessage({ type: "close" });
  await next("closed");
} finally {
  session.disconnect();
  await worker.terminate();
  await running.stop();
}
