import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";
import { parse, type DocumentNode } from "graphql";
import { startGateway } from "../gateway/server.ts";
import type { PersistedQueryMode } from "../lib/config/edge.ts";
import type { SubgraphName } from "../lib/config.ts";
import { parseManifest, type PersistedQueryManifest } from "../lib/persisted-queries/manifest.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { publishTrendingChanged } from "../lib/events/trending-changed.ts";
import { databaseTargets } from "./support/databases.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const clientFile = (path: string) => readFileSync(new URL(`../clients/${path}`, import.meta.url), "utf8");
/** The web client's BookPage (the flagship query) as the app holds it. */
const BOOK_PAGE = parse(clientFile("web/operations/BookPage.graphql"));
/** Every operation name in clients/**\/*.graphql: what the manifest must hold, no more, no less. */
const CLIENT_OPERATION_NAMES = readdirSync(new URL("../clients", import.meta.url), { recursive: true })
  .map(String)
  .filter((file) => file.endsWith(".graphql") && !file.includes("node_modules"))
  .flatMap((file) => [...clientFile(file).matchAll(/^(?:query|mutation|subscription)\s+(\w+)/gm)].map((match) => match[1]!))
  .sort();
/** An operation in no client's files. */
const AD_HOC = parse(`query AdHoc { genres { id name } }`);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

interface SentRequest {
  hash: string | undefined;
  hadQuery: boolean;
}

/** Apollo Client in Node over its HttpLink, recording what each request carried. */
function apolloClient(url: string, ids: "runtime" | PersistedQueryManifest, sent: SentRequest[]) {
  const fetchAndRecord: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } };
    sent.push({ hash: body.extensions?.persistedQuery?.sha256Hash, hadQuery: typeof body.query === "string" });
    return fetch(input, init);
  };
  const persisted =
    ids === "runtime"
      ? new PersistedQueryLink({ sha256 })
      : new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => ids }));
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([persisted, new HttpLink({ uri: url, fetch: fetchAndRecord })]),
  });
}

async function query(client: ApolloClient, document: DocumentNode, variables: Record<string, unknown> = {}) {
  try {
    const result = await client.query({ query: document, variables, fetchPolicy: "network-only" });
    return { data: result.data as Record<string, any> | undefined, codes: [] as unknown[] };
  } catch (error) {
    const errors = (error as { errors?: { extensions?: { code?: unknown } }[] }).errors ?? [];
    return { data: undefined, codes: errors.map((e) => e.extensions?.code), error };
  }
}

for (const target of databaseTargets().slice(0, 1)) {
  describe(`persisted queries through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    const dir = mkdtempSync(join(tmpdir(), "shelfgraph-pq-"));
    const manifestPath = join(dir, "persisted-query-manifest.json");
    const manifest = parseManifest(readFileSync(new URL("../clients/persisted-query-manifest.json", import.meta.url), "utf8"));
    const gateways = new Map<PersistedQueryMode, RunningService>();

    before(async () => {
      writeFileSync(manifestPath, JSON.stringify(manifest));
      running = await startTestSupergraph(target);
      const { config, logger, pubsub } = running.runtime;
      const subgraphUrls = Object.fromEntries(Object.entries(running.supergraph.subgraphs).map(([name, service]) => [name, service.url])) as Record<SubgraphName, string>;
      for (const mode of ["allow", "enforce", "off"] as const) {
        const gatewayConfig = { ...config, PERSISTED_QUERIES: mode, PERSISTED_QUERY_MANIFEST: manifestPath };
        gateways.set(mode, await startGateway({ config: gatewayConfig, logger, port: 0, supergraphPath: resolve(config.SUPERGRAPH_PATH), subgraphUrls, pubsub }));
      }
    });
    const subscribers: SubscriptionClient[] = [];
    after(async () => {
      await Promise.allSettled(subscribers.map((client) => client.dispose()));
      for (const gateway of gateways.values()) await gateway.stop();
      await running?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("the manifest holds the clients' operations, each id the SHA-256 of its body", () => {
      const names = manifest.operations.map((operation) => operation.name).sort();
      assert.deepEqual(names, CLIENT_OPERATION_NAMES);
      for (const expected of ["BookPage", "SearchBooks", "TrendingChanged", "MobileHome", "MobileBookDetail"]) assert.ok(names.includes(expected), expected);
      for (const operation of manifest.operations) assert.equal(operation.id, sha256(operation.body));
    });

    it("allow: Apollo Client's APQ link registers an unknown query once, then sends only its hash", async () => {
      const url = gateways.get("allow")!.url;
      const sent: SentRequest[] = [];
      const first = await query(apolloClient(url, "runtime", sent), AD_HOC);
      assert.ok(first.data?.genres.length > 0, JSON.stringify(first.codes));
      assert.deepEqual(sent.map((request) => request.hadQuery), [false, true], "hash only, PERSISTED_QUERY_NOT_FOUND, then hash and query");
      sent.length = 0;
      const again = await query(apolloClient(url, "runtime", sent), AD_HOC);
      assert.ok(again.data?.genres.length > 0);
      assert.deepEqual(sent.map((request) => request.hadQuery), [false], "a second client finds it by hash alone");
    });

    it("allow: trusted documents resolve by manifest id without a registration round trip", async () => {
      const sent: SentRequest[] = [];
      const result = await query(apolloClient(gateways.get("allow")!.url, manifest, sent), BOOK_PAGE, { id: "1" });
      assert.equal(result.data?.book.id, "1", JSON.stringify(result.codes));
      assert.deepEqual(sent, [{ hash: manifest.operations.find((o) => o.name === "BookPage")!.id, hadQuery: false }]);
    });

    it("enforce: runs manifest operations by id, by hash computed at runtime, or by body, and nothing else", async () => {
      const url = gateways.get("enforce")!.url;
      const byId = await query(apolloClient(url, manifest, []), BOOK_PAGE, { id: "1" });
      assert.equal(byId.data?.book.id, "1", JSON.stringify(byId.codes));
      const sent: SentRequest[] = [];
      const byRuntimeHash = await query(apolloClient(url, "runtime", sent), BOOK_PAGE, { id: "2" });
      assert.equal(byRuntimeHash.data?.book.id, "2", "Apollo Client's own hash of the document equals the manifest id");
      assert.deepEqual(sent.map((request) => request.hadQuery), [false]);
      const home = manifest.operations.find((operation) => operation.name === "Trending")!;
      const byBody = await graphql(url, home.body);
      assert.equal(byBody.status, 200);
      assert.ok(Array.isArray(byBody.data?.trendingBooks));

      const adHoc = await query(apolloClient(url, "runtime", []), AD_HOC);
      assert.deepEqual(adHoc.codes, ["PERSISTED_QUERY_NOT_IN_LIST"]);
      const plain = await graphql(url, "{ genres { id } }");
      assert.equal(plain.status, 400);
      assert.deepEqual(errorCodes(plain), ["PERSISTED_QUERY_NOT_IN_LIST"]);
      const forged = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ genres { id } }", extensions: { persistedQuery: { version: 1, sha256Hash: home.id } } }),
      });
      assert.equal(forged.status, 400, "a listed id does not vouch for a different body");
    });

    it("enforce: a new manifest is picked up without a restart", async () => {
      const url = gateways.get("enforce")!.url;
      const body = "query Genres {\n  genres {\n    id\n    name\n    __typename\n  }\n}";
      assert.deepEqual(errorCodes(await graphql(url, body)), ["PERSISTED_QUERY_NOT_IN_LIST"]);
      const next: PersistedQueryManifest = { ...manifest, operations: [...manifest.operations, { id: sha256(body), name: "Genres", type: "query", body }] };
      writeFileSync(manifestPath, JSON.stringify(next));
      let result = await graphql(url, body);
      for (let attempt = 0; attempt < 50 && result.status !== 200; attempt += 1) {
        await sleep(100);
        result = await graphql(url, body);
      }
      assert.equal(result.status, 200, JSON.stringify(result.errors));
      writeFileSync(manifestPath, "{ not a manifest");
      await sleep(600);
      assert.equal((await graphql(url, body)).status, 200, "a broken manifest keeps the previous list serving");
    });

    it("subscriptions follow the same policy: enforce runs only listed ones (by body or by id alone), allow also ad-hoc ones", async () => {
      const subscribe = (mode: PersistedQueryMode, query: string, extensions?: Record<string, unknown>) => {
        const client = connectSubscriptions(gateways.get(mode)!.url.replace(/^http/, "ws"));
        subscribers.push(client);
        return client.subscribe<{ trendingChanged: { window: string; books: { book: { id: string } }[] } }>(query, { window: "WEEK", limit: 3 }, extensions);
      };
      const listed = manifest.operations.find((operation) => operation.name === "TrendingChanged")!;
      const adHoc = `subscription AdHoc($window: TrendingWindow, $limit: Int) { trendingChanged(window: $window, limit: $limit) { window books { book { id } } } }`;
      const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
      const codesOf = async (subscription: ReturnType<typeof subscribe>) => {
        await subscription.ended(5000);
        return (subscription.error as { extensions?: { code?: string } }[]).map((error) => error.extensions?.code);
      };

      assert.deepEqual(await codesOf(subscribe("enforce", adHoc)), ["PERSISTED_QUERY_NOT_IN_LIST"]);
      assert.deepEqual(await codesOf(subscribe("enforce", "", persisted(sha256(adHoc)))), ["PERSISTED_QUERY_NOT_IN_LIST"]);
      assert.deepEqual(await codesOf(subscribe("enforce", adHoc, persisted(listed.id))), ["BAD_REQUEST"], "a listed id does not vouch for a different body");
      assert.deepEqual(await codesOf(subscribe("allow", "", persisted(sha256(adHoc)))), ["PERSISTED_QUERY_NOT_FOUND"]);

      const accepted: ReturnType<typeof subscribe>[] = [
        subscribe("enforce", listed.body),
        subscribe("enforce", "", persisted(listed.id)),
        subscribe("allow", adHoc),
        subscribe("allow", adHoc, persisted(sha256(adHoc))),
      ];
      await sleep(500);
      const books = [{ bookId: 3, score: 9, readers: 2, interactions: 4 }, { bookId: 1, score: 5, readers: 1, interactions: 2 }];
      await publishTrendingChanged(running.runtime.pubsub, { window: "WEEK", books, changedAt: new Date().toISOString() });
      for (const subscription of accepted) {
        const pushed = await subscription.waitFor(() => true, 5000);
        assert.equal(pushed.errors, undefined, JSON.stringify(pushed.errors));
        assert.deepEqual(pushed.data!.trendingChanged.books.map((entry) => entry.book.id), ["3", "1"]);
      }
      // Registered by the hash and body above: an ad-hoc subscription by hash alone now resolves where APQ is on.
      const byHash = subscribe("allow", "", persisted(sha256(adHoc)));
      await sleep(500);
      await publishTrendingChanged(running.runtime.pubsub, { window: "WEEK", books: [...books].reverse(), changedAt: new Date().toISOString() });
      const pushed = await byHash.waitFor(() => true, 5000);
      assert.deepEqual(pushed.data!.trendingChanged.books.map((entry) => entry.book.id), ["1", "3"]);
    });

    it("off: the manifest is ignored, automatic persisted queries still work", async () => {
      const url = gateways.get("off")!.url;
      const bookPageId = manifest.operations.find((operation) => operation.name === "BookPage")!.id;
      const byManifestId = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ variables: { id: "1" }, extensions: { persistedQuery: { version: 1, sha256Hash: bookPageId } } }),
      });
      const answer = (await byManifestId.json()) as { errors?: { extensions?: { code?: string } }[] };
      assert.deepEqual(answer.errors?.map((error) => error.extensions?.code), ["PERSISTED_QUERY_NOT_FOUND"], "ids are not looked up in the manifest");
      const sent: SentRequest[] = [];
      const fallback = await query(apolloClient(url, manifest, sent), BOOK_PAGE, { id: "1" });
      assert.equal(fallback.data?.book.id, "1", "Apollo Client then sends the document itself");
      assert.deepEqual(sent.map((request) => request.hadQuery), [false, true]);
      const apq = await query(apolloClient(url, "runtime", []), BOOK_PAGE, { id: "1" });
      assert.equal(apq.data?.book.id, "1", JSON.stringify(apq.codes));
      assert.equal((await graphql(url, "{ genres { id } }")).status, 200);
    });
  });
}
