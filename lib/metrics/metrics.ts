import { Counter, Gauge, Histogram } from "prom-client";
import { METRIC_PREFIX as P, registry } from "./registry.ts";

/**
 * The catalogue of Shelfgraph's metrics: each is defined once here and
 * incremented where its event happens. A process exposes only what it owns
 * (a series appears once something was observed), so the gateway's /metrics has
 * no inference series and the recommendations subgraph's has no subgraph fetches.
 */
const registers = [registry];

// Latency buckets from 5 ms (a cached answer) to 10 s (the subgraph timeout).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10];

// ---- GraphQL (gateway and every subgraph) ----------------------------------------
export const graphqlRequestDuration = new Histogram({
  name: `${P}graphql_request_duration_seconds`,
  help: "GraphQL operations by service, operation name and outcome (success, error)",
  labelNames: ["service", "operation", "outcome"] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const graphqlErrors = new Counter({
  name: `${P}graphql_errors_total`,
  help: "Errors sent to clients, by service and extensions.code",
  labelNames: ["service", "code"] as const,
  registers,
});

// ---- gateway --------------------------------------------------------------------
export const subgraphFetchDuration = new Histogram({
  name: `${P}subgraph_fetch_duration_seconds`,
  help: "The gateway's fetches from each subgraph, by outcome (success, error, unavailable)",
  labelNames: ["subgraph", "outcome"] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const rateLimitRejections = new Counter({
  name: `${P}rate_limit_rejections_total`,
  help: "Requests refused with RATE_LIMITED, by what was limited (user, api_key, ip, subscriptions)",
  labelNames: ["scope"] as const,
  registers,
});

/** Live subscriptions are counted at scrape time by whoever serves them. */
const activeSubscriptionSources = new Set<() => number>();
export const activeSubscriptions = new Gauge({
  name: `${P}active_subscriptions`,
  help: "Subscriptions currently open over graphql-ws",
  registers,
  collect() {
    let total = 0;
    for (const count of activeSubscriptionSources) total += count();
    this.set(total);
  },
});
export function countActiveSubscriptions(count: () => number): () => void {
  activeSubscriptionSources.add(count);
  return () => activeSubscriptionSources.delete(count);
}

// ---- cache (lib/cache.ts) ---------------------------------------------------------
export const cacheRequests = new Counter({
  name: `${P}cache_requests_total`,
  help: "Cache lookups by layer (memory: the in-process LRU, redis) and result (hit, miss, error)",
  labelNames: ["layer", "result"] as const,
  registers,
});

// ---- recommendations serving -----------------------------------------------------
export const inferenceDuration = new Histogram({
  name: `${P}inference_duration_seconds`,
  help: "ONNX Runtime session.run calls by model and graph",
  labelNames: ["model", "graph"] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers,
});

export const inferenceBatchSize = new Histogram({
  name: `${P}inference_batch_size`,
  help: "Rows per inference call (requests merged by the shared batcher)",
  labelNames: ["model", "graph"] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  registers,
});

export const recommendationFallbacks = new Counter({
  name: `${P}recommendation_fallbacks_total`,
  help: "Answers that could not come from a model, by reason (model-missing, model-error, time-budget, ...)",
  labelNames: ["reason"] as const,
  registers,
});

export const recommendationsServed = new Counter({
  name: `${P}recommendations_served_total`,
  help: "Recommendation lists served, by source (MODEL, CACHE, POPULARITY, ...)",
  labelNames: ["source"] as const,
  registers,
});

export const modelProductionVersion = new Gauge({
  name: `${P}model_production_version`,
  help: "Version of each model this process serves (0: none loaded)",
  labelNames: ["model"] as const,
  registers,
});

export const modelLoadFailures = new Counter({
  name: `${P}model_load_failures_total`,
  help: "Production model versions that could not be loaded (missing or altered files), by model: its requests are served by the models left or by popularity",
  labelNames: ["model"] as const,
  registers,
});

export const modelAccuracy = new Gauge({
  name: `${P}model_ndcg_at_10`,
  help: "Offline NDCG@10 of each model, by registry status (production: the served version; latest: the newest evaluated version)",
  labelNames: ["model", "version_kind"] as const,
  registers,
});

export const modelAccuracyRatio = new Gauge({
  name: `${P}model_accuracy_ratio`,
  help: "NDCG@10 of the newest evaluated version over that of the production version at its promotion (below 0.7: ModelAccuracyDrop)",
  labelNames: ["model"] as const,
  registers,
});

// ---- business --------------------------------------------------------------------
export const recommendationImpressions = new Counter({
  name: `${P}recommendation_impressions_total`,
  help: "Recommendation lists shown to readers, by algorithm and experiment variant",
  labelNames: ["algorithm", "variant"] as const,
  registers,
});

export const recommendationClicks = new Counter({
  name: `${P}recommendation_clicks_total`,
  help: "Books a reader opened, started or shelved after they were recommended to them, by algorithm and variant",
  labelNames: ["algorithm", "variant"] as const,
  registers,
});

export const recommendationDiversity = new Histogram({
  name: `${P}recommendation_list_diversity`,
  help: "Intra-list diversity of the top 10 of served lists (1 - mean pairwise content cosine)",
  labelNames: ["algorithm"] as const,
  buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  registers,
});

// ---- training (ml-models) --------------------------------------------------------
export const trainingRuns = new Counter({
  name: `${P}training_runs_total`,
  help: "Training runs by trigger (initial, schedule, signals) and outcome (success, failure)",
  labelNames: ["trigger", "outcome"] as const,
  registers,
});

export const trainingDuration = new Histogram({
  name: `${P}training_duration_seconds`,
  help: "Wall time of a full training run",
  buckets: [10, 30, 60, 120, 300, 600, 1200, 3600],
  registers,
});
