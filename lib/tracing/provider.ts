import type { Tracer } from "@opentelemetry/api";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";

type TracingConfig = Pick<Config, "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_TRACES_SAMPLE_RATIO">;

interface TracerProvider {
  getTracer(name: string): Tracer;
  shutdown(): Promise<void>;
}

interface Installed {
  readonly provider: TracerProvider;
  users: number;
}

/** How long finished spans wait to be exported together: short enough to watch a request live. */
const EXPORT_DELAY_MS = 1000;

/** One provider per exporter setting in the process (the embedded mode runs every service in one). */
const installed = new Map<string, Installed>();
const installing = new Map<string, Promise<Installed>>();

const keyOf = (config: TracingConfig) =>
  config.OTEL_EXPORTER_OTLP_ENDPOINT ? `${config.OTEL_EXPORTER_OTLP_ENDPOINT} ${config.OTEL_TRACES_SAMPLE_RATIO}` : undefined;

/** OTLP/HTTP: the endpoint is the collector's base URL, traces go to its /v1/traces (as the OpenTelemetry SDKs do). */
export const tracesUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, "")}/v1/traces`;

async function install(config: TracingConfig, processName: string): Promise<Installed> {
  // Loaded only when tracing is on: a process without an endpoint never loads the SDK.
  const [sdk, { OTLPTraceExporter }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: processName }),
    // A caller's sampling decision (traceparent flags) is kept; a trace that starts here is kept at the configured ratio.
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLE_RATIO) }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT!) }), { scheduledDelayMillis: EXPORT_DELAY_MS }),
    ],
  });
  return { provider, users: 0 };
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is still buffered and, with the last user of this setting, shuts the exporter down. */
  stop(): Promise<void>;
}

/**
 * Turns tracing on for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set (off
 * otherwise, at no cost: no SDK loaded, no span created). Every entry point calls it
 * once before serving; `tracerFor` then hands each service its tracer.
 */
export async function startTracing(config: TracingConfig, processName: string, logger: Logger): Promise<Tracing> {
  const key = keyOf(config);
  if (!key) return { enabled: false, stop: async () => {} };
  let pending = installing.get(key);
  if (!pending) {
    pending = install(config, processName).then((entry) => (installed.set(key, entry), entry));
    installing.set(key, pending);
  }
  const entry = await pending;
  entry.users += 1;
  logger.info({ endpoint: tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT!), sampleRatio: config.OTEL_TRACES_SAMPLE_RATIO }, "exporting traces over OTLP/HTTP");
  let stopped = false;
  return {
    enabled: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      installed.delete(key);
      installing.delete(key);
      await entry.provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, "could not export the last spans"));
    },
  };
}

/** The tracer of one service (its instrumentation scope), or undefined when tracing is off for this configuration. */
export function tracerFor(config: TracingConfig, service: string): Tracer | undefined {
  const key = keyOf(config);
  return key ? installed.get(key)?.provider.getTracer(`shelfgraph.${service}`) : undefined;
}
