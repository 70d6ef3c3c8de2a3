import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { graphql } from "./support/graphql-client.ts";
import { freePort } from "./support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "./support/processes.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { databaseTargets } from "./support/databases.ts";

const TRENDING = `subscription { trendingChanged(window: HOUR, limit: 20) { books { book { id title similar(limit: 3) { book { title } } } score } } }`;

/**
 * Two gateways, each its own process, on one Redis: a subscriber of either receives
 * every event, resolved through its own gateway's query planner. The subgraphs and
 * stream consumers run in this process (on PostgreSQL), as they would beside them.
 */
describe("subscriptions on two gateway processes sharing one Redis", { skip: !(process.env.DATABASE_URL && process.env.REDIS_URL) && "needs DATABASE_URL and REDIS_URL" }, () => {
  let running: TestSupergraph | undefined;
  const gateways: ServiceProcess[] = [];
  const clients: SubscriptionClient[] = [];
  const urls: string[] = [];

  before(async () => {
    const postgres = databaseTargets().find((target) => target.name === "postgres")!;
    running = await startTestSupergraph(postgres, { books: 80, users: 40, seed: 5 });
    const { config } = running.runtime;
    const subgraphs = running.supergraph.subgraphs;
    for (let index = 0; index < 2; index += 1) {
      const port = await freePort();
      const gateway = startServiceProcess("gateway/main.ts", {
        GATEWAY_PORT: String(port),
        REDIS_URL: config.REDIS_URL,
        // The test supergraph's namespace: the gateways' rate counters and response cache go with it.
        CACHE_KEY_PREFIX: config.CACHE_KEY_PREFIX,
        STREAM_KEY_PREFIX: config.STREAM_KEY_PREFIX,
        USERS_URL: subgraphs.users.url,
        BOOKS_URL: subgraphs.books.url,
        RECOMMENDATIONS_URL: subgraphs.recommendations.url,
        EXPERIMENTS_URL: subgraphs.experiments.url,
      });
      gateways.push(gateway);
      urls.push(`http://127.0.0.1:${port}/graphql`);
    }
    await Promise.all(gateways.map((gateway) => gateway.waitForLine(logMessage("gateway listening"))));
  });
  after(async () => {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
    await running?.stop();
  });

  it("delivers a trending change, with titles and similar books, to the subscribers of both", async () => {
    const subscriptions = urls.map((url) => {
      const client = connectSubscriptions(url.replace(/^http/, "ws"));
      clients.push(client);
      return client.subscribe<{ trendingChanged: { books: { book: { id: string; title: string; similar: { book: { title: string } }[] } }[] } }>(TRENDING);
    });
    await sleep(500);
    const bookId = "17";
    for (let userId = 1; userId <= 6; userId += 1) {
      const token = await signAccessToken(running!.runtime.config, { userId, role: "READER" });
      // Half the views through each gateway: where a mutation enters makes no difference.
      const viewed = await graphql(urls[userId % 2]!, `mutation { recordBookView(bookId: "${bookId}") }`, { token });
      assert.equal(viewed.errors, undefined, JSON.stringify(viewed.errors));
    }
    const arrived = await Promise.all(
      subscriptions.map((subscription) => subscription.waitFor((result) => result.data?.trendingChanged.books.some((entry) => entry.book.id === bookId) ?? false, 10_000)),
    );
    const title = (await running!.runtime.db.prisma.book.findUniqueOrThrow({ where: { id: Number(bookId) } })).title;
    for (const result of arrived) {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const entry = result.data!.trendingChanged.books.find((candidate) => candidate.book.id === bookId)!;
      assert.equal(entry.book.title, title);
      assert.ok(entry.book.similar.length > 0);
    }
  });
});
