import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { tracerFor } from "../lib/tracing/provider.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { until } from "./support/eventually.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

/** A span as an OTLP/HTTP JSON export carries it, with the instrumentation scope (service) it came from. */
interface ExportedSpan {
  scope: string;
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SERVER = 2;
const CLIENT = 3;

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number; arrayValue?: { values?: AnyValue[] } };
const valueOf = (value: AnyValue): unknown =>
  value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue ?? value.arrayValue?.values?.map(valueOf);
const attributesOf = (list: { key: string; value: AnyValue }[] = []) => Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));

/** A collector: a plain HTTP server taking POST /v1/traces in OTLP JSON, as an OpenTelemetry collector would. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; requests: () => number; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests += 1;
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      assert.match(String(request.headers["content-type"]), /json/, "the exporter sends OTLP JSON");
      const exported = JSON.parse(body.toString("utf8")) as {
        resourceSpans?: { resource?: { attributes?: { key: string; value: AnyValue }[] }; scopeSpans?: { scope?: { name?: string }; spans?: any[] }[] }[];
      };
      for (const resourceSpans of exported.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              scope: scopeSpans.scope?.name ?? "",
              resource,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Authors come from the books subgraph only, similar books from recommendations only: one fetch to each.
const FLAGSHIP = `query Flagship { book(id: "1") { title authors { name } similar(limit: 5) { book { id } } } }`;
const [target] = databaseTargets();

describe(`OpenTelemetry tracing over OTLP/HTTP (${target!.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
  });

  it("exports the gateway's request span, its fetch spans and the subgraphs' request spans as one trace, continuing the caller's traceparent", async () => {
    let running: TestSupergraph | undefined;
    try {
      running = await startTestSupergraph(target!, { books: 60, users: 40, seed: 5 }, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      const callerTraceId = randomBytes(16).toString("hex");
      const callerSpanId = randomBytes(8).toString("hex");
      const result = await graphql(running.gatewayUrl, FLAGSHIP, { headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` } });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const requestId = result.headers.get("x-request-id");

      // A signal from a reader goes through the outbox to the stream, whose consumers trace each event.
      const [reader] = await running.runtime.db.prisma.user.findMany({ take: 1, select: { id: true } });
      const token = await signAccessToken(running.runtime.config, { userId: reader!.id, role: "READER" });
      const viewed = await graphql(running.gatewayUrl, `mutation { recordBookView(bookId: "2") }`, { token });
      assert.equal(viewed.errors, undefined, JSON.stringify(viewed.errors));
      await until(() => (collector.spans.some((span) => span.name.startsWith("stream.consume")) ? true : undefined), 15_000, "a stream consumer span");

      const trace = await until(() => {
        const spans = collector.spans.filter((span) => span.traceId === callerTraceId);
        const subgraphs = new Set(spans.filter((span) => span.kind === SERVER && span.scope !== "shelfgraph.gateway").map((span) => span.scope));
        return subgraphs.has("shelfgraph.books") && subgraphs.has("shelfgraph.recommendations") ? spans : undefined;
      }, 15_000, "the flagship query's spans");

      const gateway = trace.find((span) => span.scope === "shelfgraph.gateway" && span.kind === SERVER);
      assert.ok(gateway, "a gateway request span");
      assert.equal(gateway.name, "query Flagship");
      assert.equal(gateway.attributes["graphql.operation.name"], "Flagship");
      assert.equal(gateway.attributes["shelfgraph.outcome"], "success");
      assert.equal(gateway.attributes["shelfgraph.request_id"], requestId, "the span names the request id the logs carry");
      assert.equal(gateway.parentSpanId, callerSpanId, "the gateway span continues the caller's traceparent");

      for (const subgraph of ["books", "recommendations"]) {
        const fetch = trace.find((span) => span.kind === CLIENT && span.attributes["shelfgraph.subgraph"] === subgraph);
        assert.ok(fetch, `a gateway fetch span for ${subgraph}`);
        assert.equal(fetch.scope, "shelfgraph.gateway");
        assert.equal(fetch.parentSpanId, gateway.spanId, `the ${subgraph} fetch is a child of the gateway request span`);
        assert.equal(fetch.attributes["shelfgraph.outcome"], "success");
        const served = trace.find((span) => span.scope === `shelfgraph.${subgraph}` && span.kind === SERVER);
        assert.ok(served, `a ${subgraph} request span`);
        assert.equal(served.parentSpanId, fetch.spanId, `the ${subgraph} span is a child of the gateway's fetch span (W3C traceparent)`);
        assert.equal(served.attributes["shelfgraph.outcome"], "success");
        assert.equal(served.attributes["shelfgraph.request_id"], requestId);
      }
      assert.equal(gateway.resource["service.name"], "shelfgraph");
    } finally {
      await running?.stop();
    }
  });

  it("marks a failed request's span as an error with its code", async () => {
    let running: TestSupergraph | undefined;
    try {
      running = await startTestSupergraph(target!, { books: 20, users: 10, seed: 5 }, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      const result = await graphql(running.gatewayUrl, `query Broken { book(id: "1") { noSuchField } }`);
      assert.ok(result.errors?.length);
      const span = await until(() => collector.spans.find((candidate) => candidate.attributes["graphql.operation.name"] === "Broken"), 10_000, "the failed request's span");
      assert.equal(span.attributes["shelfgraph.outcome"], "error");
      assert.deepEqual(span.attributes["graphql.error.codes"], ["GRAPHQL_VALIDATION_FAILED"]);

      // Rejected at the edge before any operation runs: the request's span still ends, as an error.
      const requestId = `bad-token-${randomBytes(4).toString("hex")}`;
      const rejected = await graphql(running.gatewayUrl, `{ me { id } }`, { token: "not-a-token", headers: { "x-request-id": requestId } });
      assert.ok(rejected.errors?.length);
      const rejectedSpan = await until(() => collector.spans.find((candidate) => candidate.attributes["shelfgraph.request_id"] === requestId), 10_000, "the rejected request's span");
      assert.equal(rejectedSpan.attributes["shelfgraph.outcome"], "error");
    } finally {
      await running?.stop();
    }
  });

  it("samples new traces at OTEL_TRACES_SAMPLE_RATIO and follows a caller's sampling decision", async () => {
    let running: TestSupergraph | undefined;
    try {
      running = await startTestSupergraph(target!, { books: 20, users: 10, seed: 5 }, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLE_RATIO: "0" });
      const unsampled = await graphql(running.gatewayUrl, `query NotSampled { book(id: "1") { title } }`);
      assert.equal(unsampled.errors, undefined, JSON.stringify(unsampled.errors));
      const callerTraceId = randomBytes(16).toString("hex");
      const sampled = await graphql(running.gatewayUrl, `query SampledByCaller { book(id: "1") { title } }`, {
        headers: { traceparent: `00-${callerTraceId}-${randomBytes(8).toString("hex")}-01` },
      });
      assert.equal(sampled.errors, undefined, JSON.stringify(sampled.errors));
      await until(() => (collector.spans.some((span) => span.traceId === callerTraceId && span.scope === "shelfgraph.books") ? true : undefined), 10_000, "the caller-sampled trace");
    } finally {
      await running?.stop();
    }
    assert.ok(!collector.spans.some((span) => span.attributes["graphql.operation.name"] === "NotSampled"), "a new trace at ratio 0 is not exported");
  });

  it("sends nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset", async () => {
    let running: TestSupergraph | undefined;
    const before = collector.requests();
    try {
      running = await startTestSupergraph(target!, { books: 20, users: 10, seed: 5 });
      assert.equal(tracerFor(running.runtime.config, "gateway"), undefined, "no tracer, so no span is ever created");
      const result = await graphql(running.gatewayUrl, FLAGSHIP);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      // Longer than the export delay: a span, had one been made, would have gone out by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await running?.stop();
    }
    assert.equal(collector.requests(), before, "no export request reached the collector");
  });
});
