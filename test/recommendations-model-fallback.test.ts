import assert from "node:assert/strict";
import { appendFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { resolveArtifactPath } from "../lib/models/artifact-format.ts";
import { productionVersions } from "../lib/models/registry-reads.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import type { RecommendationEngine } from "../subgraphs/recommendations/serving/recommendation-engine.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, type TrainedModels } from "./support/trained-models.ts";

const until = async <T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const CF_LIST = `{ me { recommendations(limit: 5, strategy: CF) { algorithm source modelVersion } } }`;

// One database target is enough: this is about serving, not SQL.
const [target] = databaseTargets();

describe("a model that cannot be loaded is visible", () => {
  let running: TestSupergraph;
  let models: TrainedModels;
  let engine: RecommendationEngine;
  let reader: number;
  let token: string;

  before(async () => {
    running = await startTestSupergraph(target!, { books: 150, users: 120, seed: 13 });
    engine = recommendationEngineOf(running.runtime);
    models = await trainTestModels(running.runtime);
    await until(() => ("als" in engine.models.versions() ? true : undefined), 15_000, "the ALS model to load");
    const [row] = await running.runtime.db.prisma.$queryRaw<{ user_id: number }[]>`
      SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY count(*) DESC, user_id LIMIT 1`;
    reader = row!.user_id;
    token = await signAccessToken(running.runtime.config, { userId: reader, role: "READER" });
  });
  after(async () => {
    await running?.stop();
    await models?.remove();
  });

  it("a corrupted ALS file: scores and lists say which fallback served, and the store says why", async () => {
    const books = [1, 2, 3, 4, 5];
    const healthy = await engine.predictions(reader, books);
    // CF blends every collaborative model that can score a pair (ALS among them); the algorithm names them.
    assert.ok([...healthy.values()].some((prediction) => prediction.source === "MODEL" && /\bals\b/.test(prediction.algorithm)), JSON.stringify([...healthy.values()][0]));
    const before = await graphql(running.gatewayUrl, CF_LIST, { token });
    assert.equal(before.errors, undefined, JSON.stringify(before.errors));
    const listed = before.data!.me.recommendations as { algorithm: string; source: string }[];
    assert.ok(listed.length > 0 && listed.every((item) => item.source === "MODEL"), JSON.stringify(listed[0]));
    // The list blends the collaborative models by the weights the hybrid learnt on held-out
    // readers; on this small catalogue ALS may earn none, so only the scores must name it
    // before the corruption; after it, neither scores nor list may.

    // Corrupt one of the production ALS files and re-announce the version, as a redeploy or restart would load it.
    const als = (await productionVersions(running.runtime.db.prisma)).find((row) => row.name === "als")!;
    // Every graph of the production ALS version: its scorer among them.
    const alsDir = resolveArtifactPath(models.artifactsDir, als.artifactPath);
    for (const file of (await readdir(alsDir)).filter((name) => name.endsWith(".onnx"))) await appendFile(join(alsDir, file), "garbage");
    await engine.switchModel({ name: "als", version: als.version });
    assert.equal(engine.models.versions().als, undefined, "the corrupted version is not served");
    assert.match(engine.models.whyMissing("als"), new RegExp(`production version ${als.version} cannot be loaded: .+`));
    assert.ok("als" in engine.snapshot().modelsMissing, "/metrics lists it");

    // The scores now say what served instead: the remaining collaborative models, or popularity.
    const fallback = await engine.predictions(reader, books);
    for (const prediction of fallback.values()) {
      assert.ok(!/\bals\b/.test(prediction.algorithm), JSON.stringify(prediction));
      if (prediction.source !== "MODEL") assert.deepEqual({ source: prediction.source, algorithm: prediction.algorithm, modelVersion: prediction.modelVersion }, { source: "POPULARITY", algorithm: "popularity", modelVersion: null });
    }

    // The reader's list changes its algorithm (the list cache retires on a model switch).
    await engine.readers.invalidate(reader);
    const after = await graphql(running.gatewayUrl, CF_LIST, { token });
    assert.equal(after.errors, undefined, JSON.stringify(after.errors));
    const served = after.data!.me.recommendations as { algorithm: string; source: string }[];
    assert.ok(served.length > 0);
    assert.ok(served.every((item) => !/\bals\b/.test(item.algorithm)), JSON.stringify(served[0]));
  });
});
