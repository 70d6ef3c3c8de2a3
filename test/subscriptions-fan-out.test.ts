import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { publishTrendingChanged } from "../lib/events/trending-changed.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, untilProductionServed, type TrainedModels } from "./support/trained-models.ts";

type Pushed = { trendingChanged: { books: { book: { id: string; title: string; score: number | null } }[] } };

const TRENDING = `subscription { trendingChanged(window: WEEK, limit: 3) { books { book { id title score } } } }`;

/**
 * One event's execution is shared by subscribers with the same document, variables and
 * credentials: what each subscriber sees must still be what it would see alone, so a
 * reader-only field (Book.score) is answered per reader, never from another's answer.
 */
for (const target of databaseTargets()) {
  describe(`subscription fan-out shares answers only among identical subscribers (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph | undefined;
    let models: TrainedModels | undefined;
    const clients: SubscriptionClient[] = [];

    before(async () => {
      running = await startTestSupergraph(target, { books: 60, users: 30, seed: 13 });
      // Personal models, so that two readers' scores differ.
      models = await trainTestModels(running.runtime);
      // Serving loads them when told: a push computed before and a query after that would disagree.
      await untilProductionServed(running.runtime, 15_000);
    });
    after(async () => {
      await Promise.allSettled(clients.map((client) => client.dispose()));
      await running?.stop();
      await models?.remove();
    });

    it("gives anonymous subscribers one answer and each reader their own scores", async () => {
      const wsUrl = running!.gatewayUrl.replace(/^http/, "ws");
      const tokens = await Promise.all([3, 4].map((userId) => signAccessToken(running!.runtime.config, { userId, role: "READER" })));
      const subscribe = (authorization?: string) => {
        const client = connectSubscriptions(wsUrl, authorization);
        clients.push(client);
        return client.subscribe<Pushed>(TRENDING);
      };
      const anonymous = [subscribe(), subscribe()];
      const readers = tokens.map((token) => subscribe(`Bearer ${token}`));
      await sleep(500);

      const bookIds = [11, 5, 23];
      await publishTrendingChanged(running!.runtime.pubsub, {
        window: "WEEK",
        books: bookIds.map((bookId, index) => ({ bookId, score: 10 - index, readers: 3, interactions: 5 })),
        changedAt: new Date().toISOString(),
      });
      const ranked = (result: { data?: Pushed | null }) => result.data?.trendingChanged.books.map((entry) => entry.book.id).join() === bookIds.join();

      const anonymousPushes = await Promise.all(anonymous.map((subscription) => subscription.waitFor(ranked, 10_000)));
      for (const pushed of anonymousPushes) {
        assert.ok(pushed.data!.trendingChanged.books.every((entry) => entry.book.title.length > 0 && entry.book.score === null), "no score for an anonymous subscriber");
      }
      assert.deepEqual(anonymousPushes[0], anonymousPushes[1]);

      const scores: (number | null)[][] = [];
      for (const [index, subscription] of readers.entries()) {
        const pushed = await subscription.waitFor(ranked, 10_000);
        assert.equal(pushed.errors, undefined, JSON.stringify(pushed.errors));
        const own = await graphql(running!.gatewayUrl, `{ ${bookIds.map((id) => `b${id}: book(id: "${id}") { score }`).join(" ")} }`, { token: tokens[index] });
        assert.equal(own.errors, undefined, JSON.stringify(own.errors));
        assert.deepEqual(
          pushed.data!.trendingChanged.books.map((entry) => entry.book.score),
          bookIds.map((id) => own.data![`b${id}`].score),
          "each reader's pushed scores are the ones they get by query",
        );
        assert.ok(pushed.data!.trendingChanged.books.every((entry) => typeof entry.book.score === "number"));
        scores.push(pushed.data!.trendingChanged.books.map((entry) => entry.book.score));
      }
      assert.notDeepEqual(scores[0], scores[1], "the two readers' models predict differently, so a shared answer would show");
    });
  });
}
