import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { continueTrace, type TraceContext } from "../server/trace-context.ts";

export type { Span, Tracer };

/** The W3C trace context a span's work carries on: its logs' trace id, and the parent of the calls it makes. */
export function traceContextOf(span: Span): TraceContext {
  const context = span.spanContext();
  return { traceId: context.traceId, parentId: context.spanId, flags: context.traceFlags & TraceFlags.SAMPLED ? "01" : "00" };
}

/**
 * A request's server span, child of the caller's traceparent (a new trace without
 * one), and the trace context the request carries from then on. Without a tracer
 * (tracing off) no span exists and the trace is continued as before.
 */
export function startRequestSpan(
  tracer: Tracer | undefined,
  incoming: TraceContext | undefined,
  attributes: Attributes,
): { trace: TraceContext; span: Span | undefined } {
  if (!tracer) return { trace: continueTrace(incoming), span: undefined };
  const parent = incoming
    ? trace.setSpanContext(ROOT_CONTEXT, { traceId: incoming.traceId, spanId: incoming.parentId, traceFlags: Number.parseInt(incoming.flags, 16), isRemote: true })
    : ROOT_CONTEXT;
  const span = tracer.startSpan("graphql.request", { kind: SpanKind.SERVER, attributes }, parent);
  return { trace: traceContextOf(span), span };
}

/** A span inside the parent's trace (a subgraph fetch, a step of a request). */
export function startChildSpan(tracer: Tracer, parent: Span, name: string, kind: SpanKind, attributes: Attributes): Span {
  return tracer.startSpan(name, { kind, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
}

/** Ends a span with the outcome the metrics use ("success", "error", "unavailable"...). */
export function endSpan(span: Span, outcome: string, message?: string): void {
  span.setAttribute("shelfgraph.outcome", outcome);
  span.setStatus(outcome === "success" ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: message ?? outcome });
  span.end();
}

/** A root span around one unit of background work (a stream event, a training run); `work` runs unchanged when tracing is off. */
export async function inSpan<T>(tracer: Tracer | undefined, name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, ROOT_CONTEXT);
  try {
    const result = await work();
    endSpan(span, "success");
    return result;
  } catch (error) {
    span.recordException(error as Error);
    endSpan(span, "error", (error as Error).message);
    throw error;
  }
}

export { SpanKind };
