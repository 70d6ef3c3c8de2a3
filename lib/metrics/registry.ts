import { collectDefaultMetrics, Registry } from "prom-client";

/** Every metric name starts with this, so one deployment's series are easy to select and never collide. */
export const METRIC_PREFIX = "shelfgraph_";

/**
 * One registry per process. In the embedded `npm start` the gateway and all four
 * subgraphs share it (their series differ by the `service` label); as separate
 * processes each has its own and serves it on its own METRICS_PORT.
 */
export const registry = new Registry();

// Process CPU, memory, handles, GC and the event-loop delay percentiles (shelfgraph_nodejs_eventloop_lag_*).
collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 10 });
