import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { startGateway } from "../gateway/server.ts";
import { loadConfig, SUBGRAPH_NAMES } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { createPubSub } from "../lib/pubsub.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { subgraphSchemaFile, SUPERGRAPH_FILE } from "../schema/compose.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";

/** The committed supergraph, with one subgraph SDL edited, as `npm run compose` would write it. */
function supergraphWithEdit(name: string, edit: (sdl: string) => string): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((subgraph) => {
      const sdl = readFileSync(subgraphSchemaFile(subgraph), "utf8");
      return { name: subgraph, url: "http://localhost:1/graphql", typeDefs: parse(subgraph === name ? edit(sdl) : sdl) };
    }),
  );
  assert.equal(result.errors, undefined);
  return result.supergraphSdl!;
}

describe("the gateway's supergraph file", () => {
  const dir = mkdtempSync(join(tmpdir(), "shelfgraph-supergraph-"));
  const path = join(dir, "supergraph.graphql");
  let gateway: RunningService;

  before(async () => {
    writeFileSync(path, readFileSync(SUPERGRAPH_FILE, "utf8"));
    const config = loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" });
    // Subgraphs point at a closed port (never at a dev server's 4001-4004): validation happens in the gateway, before any fetch.
    const nowhere = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, "http://127.0.0.1:1/graphql"]));
    const logger = createLogger(config, "test");
    // An in-process bus: this test is about the supergraph file, not about subscription events.
    const pubsub = createPubSub({ REDIS_URL: undefined }, logger);
    gateway = await startGateway({ config, logger, port: 0, supergraphPath: path, subgraphUrls: nowhere, pubsub });
  });
  after(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is reloaded when it changes, and a broken file keeps the previous schema serving", async () => {
    const probe = `{ experiment(key: "x") { trafficPercent } }`;
    const before = await graphql(gateway.url, probe);
    assert.deepEqual(errorCodes(before), ["SERVICE_UNAVAILABLE"], "valid against the schema, the subgraph is just absent");

    writeFileSync(path, supergraphWithEdit("experiments", (sdl) => sdl.replace(/\s*"Share of traffic[^"]*"\s*trafficPercent: Int!/, "")));
    let reloaded = await graphql(gateway.url, probe);
    for (let attempt = 0; attempt < 50 && errorCodes(reloaded)[0] !== "GRAPHQL_VALIDATION_FAILED"; attempt += 1) {
      await sleep(100);
      reloaded = await graphql(gateway.url, probe);
    }
    assert.deepEqual(errorCodes(reloaded), ["GRAPHQL_VALIDATION_FAILED"], "the field is gone after the reload");

    writeFileSync(path, "this is not a supergraph");
    await sleep(1000);
    const still = await graphql(gateway.url, `{ experiment(key: "x") { name } }`);
    assert.deepEqual(errorCodes(still), ["SERVICE_UNAVAILABLE"], "the last good supergraph keeps serving");
    const ready = await fetch(gateway.url.replace("/graphql", "/health/ready"));
    assert.equal(ready.status, 200);
  });
});
