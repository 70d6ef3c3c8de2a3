import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from "../gateway/subscriptions/server.ts";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { TrendingWatcher } from "../lib/trending/trending-watcher.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const TRENDING = /* GraphQL */ `
  subscription Trending($window: TrendingWindow, $limit: Int) {
    trendingChanged(window: $window, limit: $limit) {
      window changedAt
      books { book { id title similar(limit: 3) { book { title } } } score readers interactions }
    }
  }
`;

interface TrendingUpdate {
  trendingChanged: {
    window: string;
    changedAt: string;
    books: { book: { id: string; title: string; similar: { book: { title: string } }[] }; score: number; readers: number; interactions: number }[];
  };
}

/** Time for the gateway to register a subscription on the bus (a Redis SUBSCRIBE round trip) after the client sends it. */
const SUBSCRIBE_SETTLE_MS = 500;

for (const target of databaseTargets()) {
  describe(`trending subscriptions through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph | undefined;
    let wsUrl: string;
    const clients: SubscriptionClient[] = [];
    const connect = (authorization?: string) => {
      const client = connectSubscriptions(wsUrl, authorization);
      clients.push(client);
      return client;
    };
    const tokenFor = (userId: number) => signAccessToken(running!.runtime.config, { userId, role: "READER" });
    const bearer = async (userId: number) => `Bearer ${await tokenFor(userId)}`;

    before(async () => {
      running = await startTestSupergraph(target, { books: 120, users: 80, seed: 11 });
      wsUrl = running.gatewayUrl.replace(/^http/, "ws");
    });
    after(async () => {
      await Promise.allSettled(clients.map((client) => client.dispose()));
      await running?.stop();
    });

    it("pushes the hour's ranking when readers make a book trend", async () => {
      const current = await graphql(running!.gatewayUrl, `{ trendingBooks(window: HOUR, limit: 10) { book { id } score } }`);
      assert.equal(current.errors, undefined, JSON.stringify(current.errors));
      const listed: { book: { id: string }; score: number }[] = current.data!.trendingBooks;
      const listedIds = new Set(listed.map((entry) => entry.book.id));
      const bookId = [...Array(120).keys()].map((index) => String(index + 1)).find((id) => !listedIds.has(id))!;
      // More fresh views than the tenth place's decayed count puts the book in the top ten.
      const readersNeeded = Math.min(60, listed.length < 10 ? 2 : Math.ceil(listed[9]!.score) + 2);

      const client = connect(await bearer(1));
      const updates = client.subscribe<TrendingUpdate>(TRENDING, { window: "HOUR", limit: 10 });
      await sleep(SUBSCRIBE_SETTLE_MS);
      const tokens = await Promise.all(Array.from({ length: readersNeeded }, (_, index) => tokenFor(index + 1)));
      for (const token of tokens) {
        const viewed = await graphql(running!.gatewayUrl, `mutation { recordBookView(bookId: "${bookId}") }`, { token });
        assert.equal(viewed.errors, undefined, JSON.stringify(viewed.errors));
      }
      const startedAt = Date.now();
      const arrived = await updates.waitFor(
        // The first views may already be counted before the last ones: the book enters the list then, whatever its count.
        (result) => result.data?.trendingChanged.books.some((entry) => entry.book.id === bookId && entry.readers >= 1) ?? false,
        8000,
      );
      const latencyMs = Date.now() - startedAt;
      const update = arrived.data!.trendingChanged;
      assert.equal(arrived.errors, undefined);
      assert.equal(update.window, "HOUR");
      assert.ok(update.books.length <= 10, "no more than the limit");
      assert.ok(Math.abs(Date.parse(update.changedAt) - Date.now()) < 60_000, "changedAt is a current ISO time");
      for (let index = 1; index < update.books.length; index += 1) {
        assert.ok(update.books[index - 1]!.score >= update.books[index]!.score, "ranked by decayed count, best first");
      }
      // Titles and similar books come with the push, resolved through the supergraph's query planner.
      const pushed = update.books.find((entry) => entry.book.id === bookId)!;
      const book = await running!.runtime.db.prisma.book.findUniqueOrThrow({ where: { id: Number(bookId) } });
      assert.equal(pushed.book.title, book.title);
      assert.ok(pushed.book.similar.length > 0 && pushed.book.similar.length <= 3 && pushed.book.similar.every((entry) => entry.book.title.length > 0));
      // Every update this subscription saw was a different ranking (no duplicates of an unchanged list).
      const rankings = updates.results.map((result) => result.data!.trendingChanged.books.map((entry) => entry.book.id).join(","));
      for (let index = 1; index < rankings.length; index += 1) assert.notEqual(rankings[index], rankings[index - 1]);
      // A query right after the push agrees with it (the cached list was dropped).
      // Signed in, so the gateway's response cache (anonymous answers, trending for a minute) is not what answers.
      const after = await graphql(running!.gatewayUrl, `{ trendingBooks(window: HOUR, limit: 10) { book { id } score } }`, { token: await tokenFor(1) });
      assert.ok(after.data!.trendingBooks.some((entry: { book: { id: string } }) => entry.book.id === bookId));
      console.log(`trending update: ${readersNeeded} views -> pushed with titles and similar books ${latencyMs} ms after the last view (${updates.results.length} update(s))`);
      updates.unsubscribe();
    });

    it("refuses a token that does not verify with 4401 and serves anonymous connections", async () => {
      const forged = await signAccessToken({ ...running!.runtime.config, JWT_SECRET: "not-the-gateway-secret-not-the-gateway-secret" }, { userId: 1, role: "ADMIN" });
      const refused = connect(`Bearer ${forged}`);
      const denied = refused.subscribe(TRENDING, { window: "DAY" });
      await denied.ended(5000);
      assert.deepEqual(refused.closeCodes, [4401]);
      assert.equal((denied.error as { code?: number }).code, 4401);

      // Not "Bearer <token>": refused the same way rather than treated as anonymous.
      const malformed = connect("Basic YWRtaW46YWRtaW4=");
      await malformed.subscribe(TRENDING, { window: "DAY" }).ended(5000);
      assert.deepEqual(malformed.closeCodes, [4401]);

      const anonymous = connect();
      const open = anonymous.subscribe(TRENDING, { window: "WEEK", limit: 5 });
      await sleep(300);
      assert.equal(open.error, undefined);
      assert.equal(open.completed, false, "an anonymous subscription stays open");
      open.unsubscribe();
    });

    it("validates subscriptions against the supergraph: an unknown field is GRAPHQL_VALIDATION_FAILED, not an internal error", async () => {
      const client = connect();
      const invalid = client.subscribe(`subscription { trendingChanged { books { book { noSuchField } } } }`);
      await invalid.ended(5000);
      const errors = invalid.error as { message: string; extensions?: { code?: string } }[];
      assert.deepEqual(errors.map((error) => error.extensions?.code), ["GRAPHQL_VALIDATION_FAILED"]);
      assert.match(errors[0]!.message, /noSuchField/);
      const query = client.subscribe(`{ trendingBooks { score } }`);
      await query.ended(5000);
      assert.deepEqual((query.error as { extensions?: { code?: string } }[]).map((error) => error.extensions?.code), ["BAD_REQUEST"]);
    });

    it("pushes the reader's changed recommendations after their own rating, only to them", async () => {
      const userId = 5;
      const token = await tokenFor(userId);
      const anonymous = connect();
      const refused = anonymous.subscribe(`subscription { recommendationsUpdated { score } }`);
      await refused.ended(5000);
      assert.deepEqual(refused.results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code)), ["UNAUTHENTICATED"]);

      const before = await graphql(running!.gatewayUrl, `{ me { recommendations(limit: 5) { book { id } } } }`, { token });
      assert.equal(before.errors, undefined, JSON.stringify(before.errors));
      const client = connect(`Bearer ${token}`);
      const updates = client.subscribe<{ recommendationsUpdated: { book: { id: string; title: string }; score: number }[] }>(
        `subscription($limit: Int) { recommendationsUpdated(limit: $limit) { book { id title } score } }`,
        { limit: 5 },
      );
      const other = connect(await bearer(userId + 1));
      const notMine = other.subscribe(`subscription { recommendationsUpdated { score } }`);
      await sleep(SUBSCRIBE_SETTLE_MS);
      // Rating the reader's top recommendation takes it off their list (excludeRead): the list changes.
      const top = before.data!.me.recommendations[0].book.id;
      const ratedAt = Date.now();
      const rated = await graphql(running!.gatewayUrl, `mutation { rateBook(bookId: "${top}", rating: 5) { id } }`, { token });
      assert.equal(rated.errors, undefined, JSON.stringify(rated.errors));
      const pushed = await updates.waitFor((result) => (result.data?.recommendationsUpdated.length ?? 0) > 0, 8000);
      console.log(`recommendationsUpdated: pushed ${Date.now() - ratedAt} ms after the rating`);
      assert.equal(pushed.errors, undefined, JSON.stringify(pushed.errors));
      const list = pushed.data!.recommendationsUpdated;
      assert.equal(list.length, 5);
      assert.ok(list.every((entry) => entry.book.title.length > 0));
      assert.ok(!list.some((entry) => entry.book.id === top), "the book just rated left the list");
      await sleep(300);
      assert.equal(notMine.results.length, 0, "another reader hears nothing of it");
    });

    it("pushes a book's new public ratings with the reader, and ends a private stream whose token expired", async () => {
      const bookId = 7;
      const watcher = connect();
      const activity = watcher.subscribe<{ bookActivity: { kind: string; rating: number | null; reader: { id: string; displayName: string }; book: { title: string } } }>(
        `subscription($bookId: ID!) { bookActivity(bookId: $bookId) { kind rating reader { id displayName } book { title } } }`,
        { bookId: String(bookId) },
      );
      // Verification allows 30 s of clock skew: a token whose exp is 20 s ago is accepted for about 10 s more
      // (room for connection_init on a loaded machine), then refused.
      // A number is seconds from now: this token's exp lies 20 s in the past.
      const shortLived = await signAccessToken(running!.runtime.config, { userId: 9, role: "READER" }, -20);
      const expiring = connect(`Bearer ${shortLived}`);
      const privateStream = expiring.subscribe(`subscription { recommendationsUpdated { score } }`);
      await sleep(11_000);
      const rated = await graphql(running!.gatewayUrl, `mutation { rateBook(bookId: "${bookId}", rating: 4) { id } }`, { token: await tokenFor(9) });
      assert.equal(rated.errors, undefined, JSON.stringify(rated.errors));
      const pushed = await activity.waitFor((result) => result.data?.bookActivity.kind === "RATED", 15_000);
      const event = pushed.data!.bookActivity;
      assert.deepEqual({ kind: event.kind, rating: event.rating, reader: event.reader.id }, { kind: "RATED", rating: 4, reader: "9" });
      assert.ok(event.reader.displayName.length > 0 && event.book.title.length > 0);

      await privateStream.ended(15_000);
      assert.deepEqual(privateStream.results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code)), ["UNAUTHENTICATED"]);
      assert.equal(privateStream.completed, true, "the private stream ended");
      activity.unsubscribe();
    });

    it("rejects a limit outside 1..50 with BAD_USER_INPUT, and too many subscriptions on one connection", async () => {
      const client = connect();
      for (const limit of [0, 51]) {
        const rejected = client.subscribe<TrendingUpdate>(TRENDING, { window: "DAY", limit });
        await rejected.ended(5000);
        assert.deepEqual(rejected.results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code)), ["BAD_USER_INPUT"]);
      }
      const open = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, () => client.subscribe(TRENDING, { window: "DAY" }));
      const oneTooMany = client.subscribe(TRENDING, { window: "DAY" });
      await oneTooMany.ended(5000);
      const errors = oneTooMany.error as { extensions?: { code?: string } }[];
      assert.deepEqual(errors.map((error) => error.extensions?.code), ["RATE_LIMITED"]);
      assert.ok(open.every((subscription) => subscription.error === undefined && !subscription.completed), "the others keep running");
      for (const subscription of open) subscription.unsubscribe();
    });

    it("ends a subscription cleanly when the client disposes, and closes open ones on shutdown", async () => {
      const leaving = connect();
      const subscription = leaving.subscribe(TRENDING, { window: "DAY" });
      await sleep(300);
      await leaving.dispose();
      for (let waited = 0; leaving.closeCodes.length === 0 && waited < 2000; waited += 20) await sleep(20);
      assert.deepEqual(leaving.closeCodes, [1000], "a normal closure");
      assert.equal(subscription.error, undefined);

      const staying = connect();
      const open = staying.subscribe(TRENDING, { window: "DAY" });
      await sleep(300);
      const stoppingAt = Date.now();
      const stopping = running!;
      running = undefined;
      await stopping.stop();
      const stopMs = Date.now() - stoppingAt;
      await open.ended(5000);
      assert.deepEqual(staying.closeCodes, [1001], "going away");
      assert.ok(stopMs < 5000, `the gateway stopped in ${stopMs} ms with a subscription open`);
    });
  });
}

describe("the trending watcher", () => {
  const entries = (...ids: number[]) => ids.map((bookId, index) => ({ bookId, score: 10 - index, readers: 10 - index, interactions: 20 - index }));
  const silent = createLogger(loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" }), "test");

  it("recomputes an idle window at once, a burst during a run once more after it, and reports only ranking changes", async () => {
    let ranking = entries(1, 2, 3);
    const computed: string[] = [];
    const changes: { window: string; ids: number[] }[] = [];
    // While `hold` is set, computations wait to be released: a run "in progress" for as long as the test wants.
    let hold = false;
    const held: (() => void)[] = [];
    const watcher = new TrendingWatcher({
      compute: async (window) => {
        computed.push(window);
        if (hold) await new Promise<void>((resolve) => held.push(resolve));
        return ranking;
      },
      onChange: async (window, books) => {
        changes.push({ window, ids: books.map((book) => book.bookId) });
      },
      logger: silent,
      refreshMs: 60_000,
    });
    await watcher.start();
    assert.equal(computed.length, 3, "each window learnt once at start");
    assert.equal(changes.length, 0, "nothing reported at start");

    ranking = entries(1, 2, 3).map((entry) => ({ ...entry, interactions: entry.interactions + 1 }));
    watcher.interactionArrived();
    assert.equal(computed.length, 6, "an idle window is recomputed at once, without a delay");
    await sleep(10);
    assert.equal(changes.length, 0, "counts moved, the ranking did not");

    hold = true;
    ranking = entries(2, 1, 3);
    watcher.interactionArrived();
    assert.equal(computed.length, 9);
    for (let event = 0; event < 50; event += 1) watcher.interactionArrived();
    await sleep(50);
    assert.equal(computed.length, 9, "a burst during a run waits for it");
    hold = false;
    held.splice(0).forEach((resolve) => resolve());
    await sleep(50);
    assert.equal(computed.length, 12, "then the whole burst is one more run per window");
    assert.deepEqual(changes.map((change) => change.window).sort(), ["DAY", "HOUR", "WEEK"]);
    assert.ok(changes.every((change) => change.ids.join() === "2,1,3"), "each change reported once");

    await watcher.stop();
    const after = computed.length;
    watcher.interactionArrived();
    await sleep(50);
    assert.equal(computed.length, after, "nothing runs once stopped");
  });
});
