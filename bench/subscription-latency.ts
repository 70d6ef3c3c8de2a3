/**
 * `node --import tsx bench/subscription-latency.ts`: where the time between a
 * reader's action and the pushed answer goes, hop by hop, for both subscriptions.
 *
 * - trendingChanged: a burst of views of a book nobody viewed in this run (it enters
 *   the hour's top 10) → each view answered → the first view on the stream (the
 *   relay's live fan-out, Topics.INTERACTION) → TRENDING_CHANGED naming the book →
 *   the subscriber's push with titles and similar books.
 * - recommendationsUpdated: a rating of the reader's top recommendation → answered →
 *   on the stream → USER_VECTOR_CHANGED (the embeddings role's fold-in) →
 *   RECOMMENDATIONS_UPDATED (a recommendations instance dropped the list) → the push
 *   of the changed list.
 *
 * The hops are observed from outside the services: this process listens on the same
 * bus as they publish on, so no service carries bench code. The gateway hop (bus →
 * client) includes the planned query; beside it, the same query's time over HTTP.
 *
 * Embedded by default (PGlite, in-process bus and stream, one process). With
 * DATABASE_URL and REDIS_URL: PostgreSQL and Redis, the stream roles and the gateway
 * each their own process (the subgraphs in this one). BENCH_ROUNDS (15) rounds each.
 * BENCH_SUBSCRIBERS (0) more anonymous trendingChanged subscribers (in a worker thread)
 * measure the same hops while the gateway fans every change out to them as well.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { Topics } from "../lib/events/topics.ts";
import { connectSubscriptions, type SubscriptionClient } from "../test/support/subscription-client.ts";
import { graphql } from "../test/support/graphql-client.ts";
import { startLatencySetup } from "./harness/latency-setup.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const BURST = 3;
const BACKGROUND_SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 0);
const TRENDING = `subscription { trendingChanged(window: HOUR, limit: 10) { books { book { id title similar(limit: 3) { book { title } } } } } }`;
const RECOMMENDATIONS = `subscription { recommendationsUpdated(limit: 10) { book { id title } score } }`;

type Milestones = Record<string, number>;

/** Resolves with the time (Date.now()) the first matching value is seen on the bus after `arm()`. */
function busWatch(setup: Awaited<ReturnType<typeof startLatencySetup>>, topic: string) {
  let watchers: { match(payload: any): boolean; resolve(at: number): void }[] = [];
  const ready = setup.runtime.pubsub.subscribe(topic, (payload: unknown) => {
    const at = Date.now();
    watchers = watchers.filter((watcher) => (watcher.match(payload) ? (watcher.resolve(at), false) : true));
  }, {});
  return {
    ready,
    seen(match: (payload: any) => boolean, timeoutMs = 10_000): Promise<number> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(NaN), timeoutMs);
        watchers.push({ match, resolve: (at) => (clearTimeout(timer), resolve(at)) });
      });
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function summarise(label: string, rounds: Milestones[], hops: [name: string, from: string, to: string][]) {
  return hops.map(([name, from, to]) => {
    const values = rounds.map((round) => round[to]! - round[from]!).filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
    return { subscription: label, hop: name, p50: `${percentile(values, 50)} ms`, p95: `${percentile(values, 95)} ms`, rounds: values.length };
  });
}

const setup = await startLatencySetup();
const { gatewayUrl } = setup;
const wsUrl = gatewayUrl.replace(/^http/, "ws");
const clients: SubscriptionClient[] = [];
const background = BACKGROUND_SUBSCRIBERS > 0
  ? new Worker(new URL("./subscription-clients.mjs", import.meta.url), {
      workerData: { url: wsUrl, count: BACKGROUND_SUBSCRIBERS, query: TRENDING.replace("books {", "changedAt books {"), authorizations: [undefined] },
    })
  : undefined;
try {
  if (background) await sleep(1500 + BACKGROUND_SUBSCRIBERS); // connection_init and subscribe for every client
  const relayed = busWatch(setup, Topics.INTERACTION);
  const trending = busWatch(setup, Topics.TRENDING_CHANGED);
  const vectors = busWatch(setup, Topics.USER_VECTOR_CHANGED);
  const updated = busWatch(setup, Topics.RECOMMENDATIONS_UPDATED);
  await Promise.all([relayed.ready, trending.ready, vectors.ready, updated.ready]);
  const token = (userId: number) => signAccessToken(setup.runtime.config, { userId, role: "READER" });

  // trendingChanged: one anonymous subscriber, fresh books, bursts of BURST views by different readers.
  const anonymous = connectSubscriptions(wsUrl);
  clients.push(anonymous);
  const pushes = anonymous.subscribe<{ trendingChanged: { books: { book: { id: string; title: string } }[] } }>(TRENDING);
  await sleep(500);
  const trendingRounds: Milestones[] = [];
  // Round -1 warms up (first planned queries, clients settling) and is not counted.
  for (let round = -1; round < ROUNDS; round += 1) {
    const bookId = String(round + 2);
    const listed = (payload: any) => payload.window === "HOUR" && payload.books.slice(0, 10).some((entry: any) => String(entry.bookId) === bookId);
    const onStream = relayed.seen((payload) => String(payload.bookId) === bookId);
    const published = trending.seen(listed);
    const pushed = pushes.waitFor((result) => result.data?.trendingChanged.books.some((entry) => entry.book.id === bookId) ?? false, 10_000).then(
      () => Date.now(),
      () => NaN,
    );
    const tokens = await Promise.all(Array.from({ length: BURST }, (_, view) => token((round + 1) * BURST + view + 1)));
    const start = Date.now();
    await Promise.all(tokens.map((readerToken) => graphql(gatewayUrl, `mutation { recordBookView(bookId: "${bookId}") }`, { token: readerToken })));
    const answered = Date.now();
    const milestones: Milestones = { start, answered, onStream: await onStream, published: await published, client: await pushed };
    // The same planned answer over HTTP, for comparison with the gateway hop (which includes it).
    const ids = (pushes.results.at(-1)?.data?.trendingChanged.books ?? []).map((entry) => entry.book.id);
    const planned = Date.now();
    await graphql(gatewayUrl, `{ ${ids.map((id, index) => `e${index}: book(id: "${id}") { id title similar(limit: 3) { book { title } } }`).join(" ")} }`);
    milestones.plannedOverHttp = Date.now() - planned;
    if (round >= 0) trendingRounds.push(milestones);
    await sleep(200);
  }

  // recommendationsUpdated: a reader per round rates their top recommendation (it leaves the list).
  const recommendationRounds: Milestones[] = [];
  for (let round = -1; round < ROUNDS; round += 1) {
    const userId = 101 + round;
    const readerToken = await token(userId);
    const before = await graphql(gatewayUrl, `{ me { recommendations(limit: 10) { book { id } } } }`, { token: readerToken });
    const top: string | undefined = before.data?.me?.recommendations?.[0]?.book.id;
    if (!top) continue;
    const client = connectSubscriptions(wsUrl, `Bearer ${readerToken}`);
    clients.push(client);
    const lists = client.subscribe<{ recommendationsUpdated: { book: { id: string } }[] }>(RECOMMENDATIONS);
    await sleep(500);
    const onStream = relayed.seen((payload) => payload.userId === userId && String(payload.bookId) === top);
    const vector = vectors.seen((payload) => payload.userId === userId);
    const invalidated = updated.seen((payload) => payload.userId === userId);
    const pushed = lists.waitFor((result) => !(result.data?.recommendationsUpdated.some((entry) => entry.book.id === top) ?? true), 10_000).then(
      () => Date.now(),
      () => NaN,
    );
    const start = Date.now();
    await graphql(gatewayUrl, `mutation { rateBook(bookId: "${top}", rating: 5) { id } }`, { token: readerToken });
    const answered = Date.now();
    if (round >= 0) recommendationRounds.push({ start, answered, onStream: await onStream, vector: await vector, invalidated: await invalidated, client: await pushed });
    await client.dispose();
  }

  console.log(`\n${setup.description}; ${ROUNDS} rounds each; ${BACKGROUND_SUBSCRIBERS} more trendingChanged subscribers; load average ${(await import("node:os")).loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  console.table([
    ...summarise("trendingChanged", trendingRounds, [
      ["views answered (HTTP)", "start", "answered"],
      ["→ first view on the stream", "start", "onStream"],
      ["stream → TRENDING_CHANGED", "onStream", "published"],
      ["TRENDING_CHANGED → client (gateway)", "published", "client"],
      ["total: burst → client", "start", "client"],
    ]),
    ...summarise("trendingChanged", trendingRounds.map((round) => ({ zero: 0, planned: round.plannedOverHttp! })), [["(same planned query over HTTP)", "zero", "planned"]]),
    ...summarise("recommendationsUpdated", recommendationRounds, [
      ["rating answered (HTTP)", "start", "answered"],
      ["→ rating on the stream", "start", "onStream"],
      ["stream → USER_VECTOR_CHANGED", "onStream", "vector"],
      ["→ RECOMMENDATIONS_UPDATED", "vector", "invalidated"],
      ["RECOMMENDATIONS_UPDATED → client (gateway)", "invalidated", "client"],
      ["total: rating → client", "start", "client"],
    ]),
  ]);
} finally {
  await background?.terminate();
  await Promise.allSettled(clients.map((client) => client.dispose()));
  await setup.stop();
}
