import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { serveMetrics, type MetricsServer } from "../lib/metrics/index.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { connectSubscriptions, type SubscriptionClient } from "./support/subscription-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, untilProductionServed, type TrainedModels } from "./support/trained-models.ts";

/** One sample line of the exposition format: name{labels} value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const found: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

const total = (text: string, name: string, where: Record<string, string> = {}) =>
  samples(text, name)
    .filter((sample) => Object.entries(where).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

// One target is enough: what is measured does not depend on the database.
const [target] = databaseTargets();

describe(`Prometheus /metrics of the embedded process after a short load (${target!.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
  let running: TestSupergraph;
  let models: TrainedModels;
  let metrics: MetricsServer;
  const clients: SubscriptionClient[] = [];

  before(async () => {
    running = await startTestSupergraph(target!, { books: 200, users: 150, seed: 13 });
    models = await trainTestModels(running.runtime);
    // Every promoted model loaded: a version arriving mid-test would change the cache keys under it.
    await untilProductionServed(running.runtime, 20_000);
    metrics = await serveMetrics({ host: "127.0.0.1", port: 0, logger: running.runtime.logger });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await metrics?.stop();
    await running?.stop();
    await models?.remove();
  });

  it("exposes every issue-15 metric in Prometheus text on METRICS_PORT, not on the public port", async () => {
    const url = running.gatewayUrl;
    const [row] = await running.runtime.db.prisma.$queryRaw<{ user_id: number }[]>`
      SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY count(*) DESC, user_id LIMIT 1`;
    const token = await signAccessToken(running.runtime.config, { userId: row!.user_id, role: "READER" });

    // The short load: the flagship query (twice: the second is a cache hit), a personal list, a click on it, a bad query.
    for (let round = 0; round < 2; round++) {
      // Signed in, so the gateway's response cache (anonymous answers only) does not answer the repeat itself.
      const flagship = await graphql(url, `query Flagship { book(id: "1") { title authors { name } similar(limit: 5) { book { id } } } }`, { token });
      assert.equal(flagship.errors, undefined, JSON.stringify(flagship.errors));
    }
    const personal = await graphql(url, `query MyList { me { recommendations(limit: 10) { book { id } algorithm } } }`, { token });
    assert.equal(personal.errors, undefined, JSON.stringify(personal.errors));
    const clicked = personal.data!.me.recommendations[0].book.id as string;
    const view = await graphql(url, `mutation Open($id: ID!) { recordBookView(bookId: $id) }`, { token, variables: { id: clicked } });
    assert.equal(view.errors, undefined, JSON.stringify(view.errors));
    const bad = await graphql(url, `query Broken { book(id: "1") { noSuchField } }`);
    assert.ok(bad.errors?.length);
    // Live subscriptions, and one too many on a connection (refused as RATE_LIMITED).
    const client = connectSubscriptions(url.replace(/^http/, "ws"));
    clients.push(client);
    const subscriptions = Array.from({ length: 11 }, () => client.subscribe(`subscription { trendingChanged(window: HOUR) { window } }`));
    await subscriptions[10]!.ended(5000);

    // The click reaches the recommendations subgraph over the bus.
    let text = "";
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
      if (total(text, "shelfgraph_recommendation_clicks_total") > 0) break;
    }

    assert.ok(total(text, "shelfgraph_graphql_request_duration_seconds_count", { service: "gateway", operation: "Flagship", outcome: "success" }) >= 2);
    assert.ok(total(text, "shelfgraph_graphql_request_duration_seconds_count", { service: "gateway", operation: "Broken", outcome: "error" }) >= 1);
    assert.ok(total(text, "shelfgraph_graphql_request_duration_seconds_count", { service: "books" }) >= 2, "subgraphs measure their own operations");
    assert.ok(total(text, "shelfgraph_graphql_errors_total", { service: "gateway", code: "GRAPHQL_VALIDATION_FAILED" }) >= 1);
    assert.ok(total(text, "shelfgraph_subgraph_fetch_duration_seconds_count", { subgraph: "books", outcome: "success" }) >= 2);
    assert.ok(total(text, "shelfgraph_subgraph_fetch_duration_seconds_count", { subgraph: "recommendations" }) >= 2);
    assert.ok(total(text, "shelfgraph_cache_requests_total", { layer: "memory", result: "hit" }) >= 1, "a repeated list is a cache hit");
    assert.ok(total(text, "shelfgraph_cache_requests_total", { layer: "memory", result: "miss" }) >= 1);
    if (process.env.REDIS_URL) assert.ok(total(text, "shelfgraph_cache_requests_total", { layer: "redis" }) >= 1);
    assert.ok(total(text, "shelfgraph_inference_duration_seconds_count") >= 1);
    assert.ok(total(text, "shelfgraph_inference_batch_size_count") >= 1);
    assert.ok(total(text, "shelfgraph_inference_batch_size_sum") >= total(text, "shelfgraph_inference_batch_size_count"), "rows per call");
    assert.ok(samples(text, "shelfgraph_model_production_version").some((s) => s.labels.model === "als" && s.value >= 1));
    assert.ok(samples(text, "shelfgraph_model_accuracy_ratio").some((s) => s.labels.model === "als" && s.value > 0));
    assert.ok(samples(text, "shelfgraph_model_ndcg_at_10").length > 0);
    assert.equal(total(text, "shelfgraph_active_subscriptions"), 10);
    assert.ok(total(text, "shelfgraph_rate_limit_rejections_total", { scope: "subscriptions" }) >= 1);
    assert.ok(total(text, "shelfgraph_recommendation_impressions_total") >= 2);
    assert.ok(samples(text, "shelfgraph_recommendation_impressions_total").every((s) => s.labels.algorithm && s.labels.variant));
    assert.ok(total(text, "shelfgraph_recommendation_clicks_total") >= 1, "a view of a recommended book is a click");
    assert.ok(total(text, "shelfgraph_recommendation_list_diversity_count") >= 1);
    assert.ok(samples(text, "shelfgraph_recommendations_served_total").length > 0);
    assert.ok(samples(text, "shelfgraph_nodejs_eventloop_lag_p99_seconds").length === 1);
    assert.ok(samples(text, "shelfgraph_process_resident_memory_bytes").length === 1);
    // The fallback counter exists from the first fallback; none is expected on this healthy load.
    assert.match(text, /# TYPE shelfgraph_recommendation_fallbacks_total counter/);

    const publicPort = await fetch(url.replace(/\/graphql$/, "/metrics"));
    assert.equal(publicPort.status, 404, "the public port does not serve metrics");
  });
});
