export * from "./metrics.ts";
export { registry, METRIC_PREFIX, includeThreadMetrics, processMetrics, type MetricsSnapshot } from "./registry.ts";
export { serveMetrics, type MetricsServer } from "./metrics-server.ts";
export { boundedLabel } from "./bounded-label.ts";
