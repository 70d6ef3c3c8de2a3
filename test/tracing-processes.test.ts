import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { after, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { loadConfig } from "../lib/config.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { createPostgresDatabase, type TestDatabase } from "./support/databases.ts";
import { until } from "./support/eventually.ts";
import { graphql } from "./support/graphql-client.ts";
import { freePorts } from "./support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "./support/processes.ts";
import { redisNamespace, type RedisNamespace } from "./support/redis-namespace.ts";

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const SERVER = 2;
const SUBGRAPHS = ["users", "books", "recommendations", "experiments"] as const;

interface Exported {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

/** A collector keeping each span with the service.name of the process that sent it. */
async function startCollector(): Promise<{ url: string; spans: Exported[]; server: Server }> {
  const spans: Exported[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { resourceSpans?: any[] };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = (resourceSpans.resource?.attributes ?? []).find((attribute: any) => attribute.key === "service.name")?.value?.stringValue ?? "";
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? "", name: span.name, kind: span.kind });
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, server };
}

describe("tracing with each service as its own process", { skip: !serverUrl || !redisUrl ? "needs DATABASE_URL and REDIS_URL" : false }, () => {
  let database: TestDatabase | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
  const services = new Map<string, ServiceProcess>();
  let namespace: RedisNamespace | undefined;
  after(async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await namespace?.drop();
    await database?.drop();
    collector?.server.close();
  });

  it("every process exports its spans under its own service name; one request is one trace across gateway and subgraphs, matching the logs' traceId", async () => {
    collector = await startCollector();
    database = await createPostgresDatabase(serverUrl!);
    await applyMigrations(database.db);
    await seedDemoData(database.db, { books: 60, users: 30, seed: 5 });
    namespace = redisNamespace(redisUrl, "test");
    const shared = {
      ...database.env,
      REDIS_URL: redisUrl,
      ...namespace.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    };
    const free = (await freePorts(SUBGRAPHS.length + 1)).map(String);
    const ports = Object.fromEntries(SUBGRAPHS.map((name) => [name, free.pop()!] as const));
    for (const name of SUBGRAPHS) services.set(name, startServiceProcess(`subgraphs/${name}/main.ts`, { ...shared, [`${name.toUpperCase()}_PORT`]: ports[name] }));
    services.set("stream", startServiceProcess("lib/stream/main.ts", shared));
    await Promise.all(SUBGRAPHS.map((name) => services.get(name)!.waitForLine(logMessage("subgraph listening"))));
    await services.get("stream")!.waitForLine(logMessage("stream consumers running"));
    const gatewayPort = free.pop()!;
    const gateway = startServiceProcess("gateway/main.ts", {
      GATEWAY_PORT: gatewayPort,
      REDIS_URL: redisUrl,
      ...namespace.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}/graphql`])),
    });
    services.set("gateway", gateway);
    await gateway.waitForLine(logMessage("gateway listening"));
    const url = `http://127.0.0.1:${gatewayPort}/graphql`;

    const requestId = `tracing-${randomBytes(4).toString("hex")}`;
    const result = await graphql(url, `query Flagship { book(id: "1") { title authors { name } similar(limit: 5) { book { id } } } }`, { headers: { "x-request-id": requestId } });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const [reader] = await database.db.prisma.user.findMany({ take: 1, select: { id: true } });
    const token = await signAccessToken(loadConfig({ NODE_ENV: "test" }), { userId: reader!.id, role: "READER" });
    const viewed = await graphql(url, `mutation { recordBookView(bookId: "2") }`, { token });
    assert.equal(viewed.errors, undefined, JSON.stringify(viewed.errors));

    const gatewayLine = JSON.parse(gateway.lines.find((line) => line.includes(requestId))!) as { traceId: string };
    const trace = await until(() => {
      const spans = collector!.spans.filter((span) => span.traceId === gatewayLine.traceId);
      const services = new Set(spans.map((span) => span.service));
      return ["gateway", "books", "recommendations"].every((name) => services.has(name)) ? spans : undefined;
    }, 15_000, "spans from the gateway, books and recommendations processes");
    const gatewaySpan = trace.find((span) => span.service === "gateway" && span.kind === SERVER)!;
    assert.equal(gatewaySpan.name, "query Flagship");
    for (const name of ["books", "recommendations"]) {
      const served = trace.find((span) => span.service === name && span.kind === SERVER)!;
      const fetch = trace.find((span) => span.spanId === served.parentSpanId);
      assert.ok(fetch && fetch.service === "gateway" && fetch.parentSpanId === gatewaySpan.spanId, `${name}'s span hangs under the gateway's fetch span`);
    }
    await until(() => (collector!.spans.some((span) => span.service.startsWith("stream-") && span.name.startsWith("stream.consume")) ? true : undefined), 15_000, "a stream consumer process's span");
  });
});
