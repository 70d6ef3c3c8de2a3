import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createLogger } from "../lib/logger.ts";
import { continueTrace, parseTraceparent, traceparentFor } from "../lib/server/trace-context.ts";
import { trainAll } from "../ml-models/pipeline/train-all.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { createPostgresDatabase, type TestDatabase } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { embeddedPortEnv, freePorts } from "./support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "./support/processes.ts";
import { redisNamespace, type RedisNamespace } from "./support/redis-namespace.ts";
import { TEST_TRAINING } from "./support/trained-models.ts";
import { until } from "./support/eventually.ts";

const FLAGSHIP = `query Flagship { book(id: "1") { id title authors { name } similar(limit: 3) { book { title } score } } }`;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface LogLine {
  msg: string;
  service?: string;
  subgraph?: string;
  component?: string;
  requestId?: string;
  traceId?: string;
}
const parsed = (lines: readonly string[]): LogLine[] =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

/** A production logger whose lines are kept in memory, to read what it wrote. */
function capturedLogger() {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ LOG_LEVEL: "info", NODE_ENV: "production" }, "test", sink), written };
}

describe("log redaction", () => {
  it("never writes tokens, passwords, emails or API keys, at any depth a request logs them", () => {
    const { logger, written } = capturedLogger();
    logger.info(
      {
        email: "reader@example.com",
        req: { headers: { authorization: "Bearer eyJhbGciOi.secret", "x-api-key": "sk_live_partner_key", cookie: "session=abc" } },
        variables: { password: "hunter2hunter2", input: { email: "other@example.com", refreshToken: "rt_123456" } },
        apiKey: "sk_live_other",
        token: "eyJ.token",
      },
      "a request",
    );
    const line = written.join("");
    for (const secret of ["reader@example.com", "eyJhbGciOi.secret", "sk_live_partner_key", "session=abc", "hunter2hunter2", "other@example.com", "rt_123456", "sk_live_other", "eyJ.token"]) {
      assert.ok(!line.includes(secret), `${secret} is redacted: ${line}`);
    }
    assert.match(line, /"msg":"a request"/);
    assert.ok((line.match(/\[redacted\]/g) ?? []).length >= 9);
  });

  it("censors a child logger's bindings and secrets inside an error, which keeps its message, and leaves the logged objects as they were", () => {
    const { logger, written } = capturedLogger();
    const error = Object.assign(new Error("the subgraph refused"), { request: { headers: { authorization: "Bearer child.secret" } } });
    const bindings = { requestId: "r-1", token: "binding.token" };
    logger.child(bindings).warn({ err: error }, "a failure");
    const line = written.join("");
    for (const secret of ["child.secret", "binding.token"]) assert.ok(!line.includes(secret), `${secret} is redacted: ${line}`);
    assert.match(line, /"requestId":"r-1"/);
    assert.match(line, /"message":"the subgraph refused"/);
    assert.equal(error.request.headers.authorization, "Bearer child.secret", "the caller's error object is not changed");
    assert.equal(bindings.token, "binding.token");
  });
});

describe("W3C trace context", () => {
  it("accepts a valid traceparent, refuses malformed ones, and continues the trace with a new span per hop", () => {
    assert.deepEqual(parseTraceparent(TRACEPARENT), { traceId: TRACE_ID, parentId: "00f067aa0ba902b7", flags: "01" });
    for (const bad of ["", "00-xyz", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `ff-${TRACE_ID}-00f067aa0ba902b7-01`, `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`]) {
      assert.equal(parseTraceparent(bad), undefined, bad);
    }
    const next = traceparentFor(continueTrace(parseTraceparent(TRACEPARENT)));
    assert.match(next, new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    assert.notEqual(next, TRACEPARENT);
    assert.match(traceparentFor(continueTrace(undefined)), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

/** Sends the flagship query with a client request id and traceparent; returns the request id. */
async function flagship(gatewayUrl: string): Promise<string> {
  const requestId = `flagship-${randomUUID()}`;
  const answer = await graphql(gatewayUrl, FLAGSHIP, { headers: { "x-request-id": requestId, traceparent: TRACEPARENT } });
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  assert.ok(answer.data!.book.similar.length > 0);
  assert.equal(answer.headers.get("x-request-id"), requestId);
  return requestId;
}


const metricsText = async (port: string) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

describe("npm start: one request id and trace across the services of the embedded process", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "shelfgraph-observability-"));
  const artifactsDir = mkdtempSync(join(tmpdir(), "shelfgraph-observability-models-"));
  let service: ServiceProcess | undefined;
  after(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(artifactsDir, { recursive: true, force: true });
  });

  it("logs the flagship request's id and trace id in the gateway's, books' and recommendations' lines, and serves one /metrics", async () => {
    const ports = await embeddedPortEnv("METRICS_PORT");
    service = startServiceProcess("start.ts", { ...ports, PGLITE_DATA_DIR: dataDir, MODEL_ARTIFACTS_DIR: artifactsDir, SEED_BOOKS: "200", SEED_USERS: "100", SEED_RANDOM_SEED: "3" });
    await service.waitForLine(logMessage("Shelfgraph is ready"));
    const requestId = await flagship(`http://localhost:${ports.GATEWAY_PORT}/graphql`);

    const mine = await until(() => {
      const lines = parsed(service!.lines).filter((line) => line.requestId === requestId);
      const everywhere = ["books", "recommendations"].every((name) => lines.some((line) => line.subgraph === name)) && lines.some((line) => line.component === "gateway" && line.msg === "operation completed");
      return everywhere ? lines : undefined;
    }, 5000, "the gateway's and subgraphs' log lines");
    for (const line of mine) assert.equal(line.traceId, TRACE_ID, "the caller's trace id reaches every service");

    const text = await metricsText(ports.METRICS_PORT);
    for (const service of ["gateway", "books", "recommendations"]) {
      assert.match(text, new RegExp(`shelfgraph_graphql_request_duration_seconds_count\\{service="${service}",operation="[^"]+",outcome="success"\\} [1-9]`));
    }
    assert.match(text, /shelfgraph_subgraph_fetch_duration_seconds_count\{subgraph="books",outcome="success"\} [1-9]/);
    assert.match(text, /shelfgraph_inference_duration_seconds_count\{[^}]*\} [1-9]/);
  });
});

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe("each service as its own process: correlated logs and its own /metrics", { skip: !serverUrl || !redisUrl ? "needs DATABASE_URL and REDIS_URL" : false }, () => {
  let database: TestDatabase;
  const artifactsDir = mkdtempSync(join(tmpdir(), "shelfgraph-observability-models-"));
  const services = new Map<string, ServiceProcess>();
  let namespace: RedisNamespace | undefined;
  after(async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await namespace?.drop();
    await database?.drop();
    rmSync(artifactsDir, { recursive: true, force: true });
  });

  it("carries one request id through gateway, books and recommendations, and each process exposes the metrics it owns", async () => {
    database = await createPostgresDatabase(serverUrl!);
    await applyMigrations(database.db);
    await seedDemoData(database.db, { books: 200, users: 100, seed: 5 });
    await trainAll(database.db, { artifactsDir, promotionMargin: 0, training: TEST_TRAINING });

    const ports: Record<string, { port: string; metrics: string }> = {};
    const free = (await freePorts(10)).map(String);
    for (const name of ["users", "books", "recommendations", "experiments", "gateway"]) ports[name] = { port: free.pop()!, metrics: free.pop()! };
    namespace = redisNamespace(redisUrl, "test");
    const shared = { ...database.env, REDIS_URL: redisUrl, MODEL_ARTIFACTS_DIR: artifactsDir, ...namespace.env };
    for (const name of ["users", "books", "recommendations", "experiments"]) {
      const env = { ...shared, [`${name.toUpperCase()}_PORT`]: ports[name]!.port, METRICS_PORT: ports[name]!.metrics };
      services.set(name, startServiceProcess(`subgraphs/${name}/main.ts`, env));
    }
    await Promise.all([...services.values()].map((service) => service.waitForLine(logMessage("subgraph listening"))));
    const gateway = startServiceProcess("gateway/main.ts", {
      GATEWAY_PORT: ports.gateway!.port,
      METRICS_PORT: ports.gateway!.metrics,
      REDIS_URL: redisUrl,
      ...namespace.env,
      ...Object.fromEntries(["users", "books", "recommendations", "experiments"].map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]!.port}/graphql`])),
    });
    services.set("gateway", gateway);
    await gateway.waitForLine(logMessage("gateway listening"));

    const requestId = await flagship(`http://localhost:${ports.gateway!.port}/graphql`);
    for (const name of ["gateway", "books", "recommendations"]) {
      const lines = await until(() => {
        const found = parsed(services.get(name)!.lines).filter((line) => line.requestId === requestId);
        return found.length > 0 ? found : undefined;
      }, 5000, `${name}'s log line`);
      assert.ok(lines.every((line) => line.service === name && line.traceId === TRACE_ID), JSON.stringify(lines));
    }
    assert.ok(!parsed(services.get("users")!.lines).some((line) => line.requestId === requestId), "a service the request did not touch never saw it");

    const gatewayMetrics = await metricsText(ports.gateway!.metrics);
    assert.match(gatewayMetrics, /shelfgraph_graphql_request_duration_seconds_count\{service="gateway",operation="Flagship",outcome="success"\} 1/);
    assert.match(gatewayMetrics, /shelfgraph_subgraph_fetch_duration_seconds_count\{subgraph="recommendations",outcome="success"\} [1-9]/);
    assert.doesNotMatch(gatewayMetrics, /shelfgraph_inference_duration_seconds_count/, "the gateway runs no inference");
    const recommendationsMetrics = await metricsText(ports.recommendations!.metrics);
    assert.match(recommendationsMetrics, /shelfgraph_graphql_request_duration_seconds_count\{service="recommendations"/);
    assert.match(recommendationsMetrics, /shelfgraph_inference_duration_seconds_count\{[^}]*\} [1-9]/);
    assert.match(recommendationsMetrics, /shelfgraph_model_production_version\{model="als"\} [1-9]/);
    assert.match(recommendationsMetrics, /shelfgraph_cache_requests_total\{layer="redis",result="(hit|miss)"\} [1-9]/);
    assert.doesNotMatch(recommendationsMetrics, /shelfgraph_subgraph_fetch_duration_seconds_count/);
    const booksMetrics = await metricsText(ports.books!.metrics);
    assert.match(booksMetrics, /shelfgraph_graphql_request_duration_seconds_count\{service="books"/);
    assert.match(booksMetrics, /shelfgraph_process_resident_memory_bytes [1-9]/);
  });
});
