import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { MessageChannel } from "node:worker_threads";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { createLogger } from "../lib/logger.ts";
import { processMetrics } from "../lib/metrics/registry.ts";
import { createPubSub } from "../lib/pubsub.ts";
import { eventBusOverPort, serveEventBusOverPort } from "../lib/pubsub-over-port.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const silent = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");

describe("the event bus across a thread boundary", () => {
  it("delivers the owner's events to the other side's listeners once, and the other side's publishes to everyone", async () => {
    const owner = createPubSub({ REDIS_URL: undefined }, silent);
    const channel = new MessageChannel();
    const served = serveEventBusOverPort(channel.port1, owner);
    const far = eventBusOverPort(channel.port2, owner.kind);
    try {
      const heardFar: unknown[] = [];
      const heardOwner: unknown[] = [];
      const first = await far.subscribe("topic", (payload: unknown) => void heardFar.push(["first", payload]), {});
      const second = await far.subscribe("topic", (payload: unknown) => void heardFar.push(["second", payload]), {});
      await owner.subscribe("topic", (payload: unknown) => void heardOwner.push(payload), {});

      // Subscribed means subscribed at the owner: an event published right after is heard.
      await owner.publish("topic", { n: 1, at: new Date(0) });
      await far.publish("topic", { n: 2 });
      await owner.publish("elsewhere", { n: 3 });
      await sleep(50);
      assert.deepEqual(heardOwner, [{ n: 1, at: new Date(0) }, { n: 2 }]);
      assert.deepEqual(heardFar, [
        ["first", { n: 1, at: new Date(0) }],
        ["second", { n: 1, at: new Date(0) }],
        ["first", { n: 2 }],
        ["second", { n: 2 }],
      ]);

      // The owner's subscription for the far side ends with the far side's last listener.
      far.unsubscribe(first);
      await owner.publish("topic", { n: 4 });
      await sleep(50);
      assert.deepEqual(heardFar.at(-1), ["second", { n: 4 }]);
      far.unsubscribe(second);
      await sleep(50);
      const before = heardFar.length;
      await owner.publish("topic", { n: 5 });
      await sleep(50);
      assert.equal(heardFar.length, before, "no listener left, nothing crosses");
      assert.deepEqual(heardOwner.at(-1), { n: 5 });

      // Subscribing again after that works as the first time.
      await far.subscribe("topic", (payload: unknown) => void (heardFar as unknown[]).push(["again", payload]), {});
      await owner.publish("topic", { n: 6 });
      await sleep(50);
      assert.deepEqual(heardFar.at(-1), ["again", { n: 6 }]);
    } finally {
      await far.close();
      await served.release();
      await owner.close();
    }
  });
});

const TRENDING = /* GraphQL */ `
  subscription Trending { trendingChanged(window: HOUR, limit: 10) { books { book { id title } readers } } }
`;
const FLAGSHIP = /* GraphQL */ `
  query Flagship($id: ID!) { book(id: $id) { title score similar(limit: 3) { book { id title } score source } } }
`;

// The embedded `npm start` runs its gateway on a worker thread, over the in-memory bus.
const pglite = databaseTargets().find((target) => target.name === "pglite")!;

describe("the gateway on a thread of its own (the embedded process)", () => {
  let running: TestSupergraph | undefined;
  const clients: SubscriptionClient[] = [];
  before(async () => {
    running = await startTestSupergraph(pglite, { books: 120, users: 60, seed: 13 }, { REDIS_URL: "" }, { gatewayThread: { onFailure: () => {} } });
  });
  after(async () => {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    await running?.stop();
  });

  it("answers the signed-in flagship query and pushes the process's events to its subscribers", async () => {
    assert.equal(running!.runtime.pubsub.kind, "memory");
    const token = await signAccessToken(running!.runtime.config, { userId: 3, role: "READER" });
    const answer = await graphql(running!.gatewayUrl, FLAGSHIP, { token, variables: { id: "7" } });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(typeof answer.data!.book.title, "string");
    assert.equal(typeof answer.data!.book.score, "number");
    assert.ok(answer.data!.book.similar.length > 0);

    const client = connectSubscriptions(running!.gatewayUrl.replace(/^http/, "ws"), `Bearer ${token}`);
    clients.push(client);
    const updates = client.subscribe<{ trendingChanged: { books: { book: { id: string; title: string } }[] } }>(TRENDING);
    await sleep(300);
    const bookId = "42";
    for (const userId of [1, 2, 3, 4]) {
      const viewer = await signAccessToken(running!.runtime.config, { userId, role: "READER" });
      const viewed = await graphql(running!.gatewayUrl, `mutation { recordBookView(bookId: "${bookId}") }`, { token: viewer });
      assert.equal(viewed.errors, undefined, JSON.stringify(viewed.errors));
    }
    const pushed = await updates.waitFor((result) => result.data?.trendingChanged.books.some((entry) => entry.book.id === bookId) ?? false, 8000);
    const book = await running!.runtime.db.prisma.book.findUniqueOrThrow({ where: { id: Number(bookId) } });
    assert.equal(pushed.data!.trendingChanged.books.find((entry) => entry.book.id === bookId)!.book.title, book.title);
    updates.unsubscribe();
  });

  it("adds the gateway thread's series to the process's metrics, and the process's own once", async () => {
    await graphql(running!.gatewayUrl, `{ book(id: "1") { title } }`);
    const { text } = await processMetrics();
    assert.match(text, /shelfgraph_graphql_request_duration_seconds_count\{service="gateway",[^}]*outcome="success"\} [1-9]/);
    assert.match(text, /shelfgraph_subgraph_fetch_duration_seconds_count\{subgraph="books",outcome="success"\} [1-9]/);
    assert.match(text, /shelfgraph_graphql_request_duration_seconds_count\{service="books",[^}]*\} [1-9]/);
    const resident = text.split("\n").filter((line) => line.startsWith("shelfgraph_process_resident_memory_bytes "));
    assert.equal(resident.length, 1);
    const bytes = Number(resident[0]!.split(" ")[1]);
    // Summed with a copy from the thread it would read about twice the process's RSS.
    assert.ok(bytes > 0 && bytes < 1.5 * process.memoryUsage().rss, `the process's memory, counted once: ${bytes} bytes`);
  });
});
