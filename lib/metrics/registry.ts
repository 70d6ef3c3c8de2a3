import { isMainThread } from "node:worker_threads";
import { AggregatorRegistry, collectDefaultMetrics, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";

/** Every metric name starts with this, so one deployment's series are easy to select and never collide. */
export const METRIC_PREFIX = "shelfgraph_";

/**
 * One registry per thread. In the embedded `npm start` the four subgraphs share the
 * main thread's and the gateway thread has its own (their series differ by the `service`
 * label); as separate processes each has its own and serves it on its own METRICS_PORT.
 */
export const registry = new Registry();

// Process CPU, memory, handles, GC and the event-loop delay percentiles (shelfgraph_nodejs_eventloop_lag_*),
// once per process: a worker thread's copy would count the same process twice when its metrics join the main thread's.
if (isMainThread) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 10 });

/** A registry's metrics as `getMetricsAsJSON` gives them: what a worker thread hands its process's /metrics. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

const threadSources = new Set<() => Promise<MetricsSnapshot>>();

/** Adds a worker thread's metrics to what this process serves; returns the way to remove them. */
export function includeThreadMetrics(source: () => Promise<MetricsSnapshot>): () => void {
  threadSources.add(source);
  return () => threadSources.delete(source);
}

/** The process's metrics in Prometheus text: this thread's, joined by its worker threads' (series with the same labels summed). */
export async function processMetrics(): Promise<{ text: string; contentType: string }> {
  if (threadSources.size === 0) return { text: await registry.metrics(), contentType: registry.contentType };
  const snapshots = await Promise.all([registry.getMetricsAsJSON(), ...[...threadSources].map((source) => source())]);
  const joined = AggregatorRegistry.aggregate(snapshots as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  return { text: await joined.metrics(), contentType: joined.contentType };
}
