export * from "./metrics.ts";
export { registry, METRIC_PREFIX } from "./registry.ts";
export { serveMetrics, type MetricsServer } from "./metrics-server.ts";
export { boundedLabel } from "./bounded-label.ts";
