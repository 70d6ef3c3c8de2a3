import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { publishModelChanged } from "../lib/events/model-changed.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const BOOK = `query CachedBook($id: ID!) { book(id: $id) { id title authors { name } similar(limit: 3) { score book { id title } } } }`;

for (const target of databaseTargets().slice(0, 1)) {
  describe(`the response cache (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;

    before(async () => {
      running = await startTestSupergraph(target, undefined, { RESPONSE_CACHE: "true" });
    });
    after(async () => {
      await running?.stop();
    });

    it("serves an anonymous public query from the cache, with the subgraphs' max-age", async () => {
      const first = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      assert.equal(first.errors, undefined);
      assert.match(first.headers.get("cache-control") ?? "", /^max-age=600, public$/, "the shortest hint: similar lists, 600 s");
      // Changed behind the gateway's back (no catalogue event): a cached answer cannot know.
      await running.runtime.db.prisma.book.update({ where: { id: 5 }, data: { title: "Changed in the database only" } });
      const second = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      assert.deepEqual(second.data, first.data, "served from the cache, no subgraph asked");
      assert.ok(second.headers.get("age") !== null, "a cached answer carries its age");
    });

    it("never caches personal answers or answers for signed-in readers", async () => {
      const token = await signAccessToken(running.runtime.config, { userId: 2, role: "READER" });
      const personal = `{ me { id } }`;
      const first = await graphql(running.gatewayUrl, personal, { token });
      assert.notEqual(first.headers.get("cache-control"), "max-age=3600, public");
      const signedIn = await graphql(running.gatewayUrl, BOOK, { token, variables: { id: "5" } });
      assert.equal(signedIn.headers.get("age"), null, "a signed-in reader gets a fresh answer");
      const scored = await graphql(running.gatewayUrl, `{ book(id: "5") { id score } }`, { token });
      assert.match(scored.headers.get("cache-control") ?? "", /no-store|private/, "a personal score is not public");
    });

    it("starts afresh after an admin changes the catalogue", async () => {
      const admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      const cached = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      assert.ok(cached.headers.get("age") !== null);
      const title = `Retitled ${Date.now()}`;
      const update = await graphql(running.gatewayUrl, `mutation($id: ID!, $title: String!) { updateBook(id: $id, input: { title: $title }) { id title } }`, {
        token: admin,
        variables: { id: "5", title },
      });
      assert.equal(update.errors, undefined, JSON.stringify(update.errors));
      let fresh = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      for (let attempt = 0; attempt < 20 && fresh.data?.book?.title !== title; attempt += 1) {
        await sleep(50);
        fresh = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      }
      assert.equal(fresh.data?.book?.title, title);
    });

    it("starts afresh when a model is promoted, so similar lists follow the new model", async () => {
      await graphql(running.gatewayUrl, BOOK, { variables: { id: "7" } });
      const cached = await graphql(running.gatewayUrl, BOOK, { variables: { id: "7" } });
      assert.ok(cached.headers.get("age") !== null, "cached before the promotion");
      // What the registry publishes after a promotion (the first-start set replaced by the full one).
      await publishModelChanged(running.runtime.pubsub, { name: "hybrid", version: 2 });
      let fresh = await graphql(running.gatewayUrl, BOOK, { variables: { id: "7" } });
      for (let attempt = 0; attempt < 20 && fresh.headers.get("age") !== null; attempt += 1) {
        await sleep(50);
        fresh = await graphql(running.gatewayUrl, BOOK, { variables: { id: "7" } });
      }
      assert.equal(fresh.headers.get("age"), null, "answered afresh by the subgraphs");
      assert.equal(fresh.errors, undefined);
    });
  });
}
