import type { DurableStream } from "../stream/durable-stream.ts";
import { inSpan, type Tracer } from "./spans.ts";

/**
 * The stream as its consumers see it when tracing is on: each handled event is a
 * span named after its group (events carry no trace context: each is its own trace,
 * sampled at OTEL_TRACES_SAMPLE_RATIO).
 */
export function tracedStream(stream: DurableStream, tracer: Tracer | undefined): DurableStream {
  if (!tracer) return stream;
  return {
    ...stream,
    consume: (options) =>
      stream.consume({
        ...options,
        handle: (message) =>
          inSpan(tracer, `stream.consume ${options.group}`, {
            "messaging.system": stream.kind === "redis" ? "redis" : "in-process",
            "messaging.destination.name": options.stream,
            "messaging.consumer.group.name": options.group,
            "messaging.message.id": message.id,
            "shelfgraph.deliveries": message.deliveries,
          }, () => options.handle(message)),
      }),
  };
}
