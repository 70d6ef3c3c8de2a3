import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const BOOK = `query CachedBook($id: ID!) { book(id: $id) { id title authors { name } similar(limit: 3) { score book { id title } } } }`;

for (const target of databaseTargets().slice(0, 1)) {
  describe(`the response cache (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let subgraphRequests = 0;
    const originalFetch = globalThis.fetch;

    before(async () => {
      running = await startTestSupergraph(target);
      // Count the gateway's fetches to the books subgraph: a cached answer makes none.
      const booksUrl = running.supergraph.subgraphs.books.url;
      globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        if (String(input) === booksUrl) subgraphRequests += 1;
        return originalFetch(input, init);
      }) as typeof fetch;
    });
    after(async () => {
      globalThis.fetch = originalFetch;
      await running?.stop();
    });

    it("serves an anonymous public query from the cache, with the subgraphs' max-age", async () => {
      const first = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      assert.equal(first.errors, undefined);
      assert.match(first.headers.get("cache-control") ?? "", /^max-age=600, public$/, "the shortest hint: similar lists, 600 s");
      const before = subgraphRequests;
      const second = await graphql(running.gatewayUrl, BOOK, { variables: { id: "5" } });
      assert.deepEqual(second.data, first.data);
      assert.equal(subgraphRequests, before, "no subgraph was asked");
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
  });
}
