import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { loadConfig } from "../lib/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { createRuntime, type Runtime } from "../lib/runtime.ts";
import { createHttpApp, listen, markGraphQLMounted } from "../lib/server/http-server.ts";
import { startSubgraphServer } from "../lib/server/subgraph-server.ts";

const dir = mkdtempSync(join(tmpdir(), "shelfgraph-readiness-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readiness(port: number): Promise<{ status: number; reason?: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, reason: body.reason };
}

describe("readiness", () => {
  it("is false until the GraphQL endpoint is mounted, then follows the service's checks", async () => {
    let healthy = true;
    const app = createHttpApp({
      ready: async () => {
        if (!healthy) throw new Error("database unreachable");
      },
    });
    const { server, port } = await listen(app, "127.0.0.1", 0);
    try {
      const early = await readiness(port);
      assert.equal(early.status, 503);
      assert.match(early.reason!, /not mounted/);
      markGraphQLMounted(app);
      assert.equal((await readiness(port)).status, 200);
      healthy = false;
      assert.deepEqual(await readiness(port), { status: 503, reason: "database unreachable" });
      healthy = true;
      assert.equal((await readiness(port)).status, 200, "ready again once the check passes");
    } finally {
      server.close();
    }
  });

  it("a subgraph answers /graphql from its first accepted connection, and is unready while its own check fails and while its database is gone", async () => {
    const schemaPath = join(dir, "schema.graphql");
    writeFileSync(schemaPath, 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { ping: String }\n');
    const config = loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" });
    const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: "memory://" });
    const runtime: Runtime = await createRuntime(config, "test", { db });
    let modelsLoaded = false;
    const service = await startSubgraphServer(
      {
        name: "probe",
        schemaPath: pathToFileURL(schemaPath),
        resolvers: { Query: { ping: () => "pong" } },
        permissions: {},
        extendContext: (base) => base,
        start: async () => ({
          stop: async () => {},
          ready: () => {
            if (!modelsLoaded) throw new Error("production models not loaded yet");
          },
        }),
      },
      runtime,
      0,
    );
    try {
      const answer = await fetch(service.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ ping }" }) });
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { data: { ping: "pong" } });
      assert.deepEqual(await readiness(service.port), { status: 503, reason: "production models not loaded yet" });
      modelsLoaded = true;
      assert.equal((await readiness(service.port)).status, 200);
      await db.close();
      assert.equal((await readiness(service.port)).status, 503, "unready without its database");
    } finally {
      await service.stop();
      await runtime.close().catch(() => {});
    }
  });
});
