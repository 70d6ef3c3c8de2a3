import assert from "node:assert/strict";
import { appendFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { resolveArtifactPath } from "../lib/models/artifact-format.ts";
import type { ModelName } from "../lib/models/model-names.ts";
import { productionVersions } from "../lib/models/registry-reads.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import type { RecommendationEngine } from "../subgraphs/recommendations/serving/recommendation-engine.ts";
import { modelsNamed } from "./support/algorithm-names.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, untilProductionServed, type TrainedModels } from "./support/trained-models.ts";

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
    // Every production version served, not only ALS: on a busy host the others' MODEL_CHANGED
    // events may still be arriving, and a late one would change what serves mid-test.
    await untilProductionServed(running.runtime, 60_000);
    const [row] = await running.runtime.db.prisma.$queryRaw<{ user_id: number }[]>`
      SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY count(*) DESC, user_id LIMIT 1`;
    reader = row!.user_id;
    token = await signAccessToken(running.runtime.config, { userId: reader, role: "READER" });
  });
  after(async () => {
    await running?.stop();
    await models?.remove();
  });

  it("a corrupted model file: scores and lists say which fallback served, and the store says why", async () => {
    const books = [1, 2, 3, 4, 5];
    const healthy = [...(await engine.predictions(reader, books)).values()];
    const scoring = healthy.filter((prediction) => prediction.source === "MODEL");
    assert.ok(scoring.length > 0, `the reader's scores come from the models before the corruption (else this checks nothing): ${JSON.stringify(healthy[0])}`);
    const before = await graphql(running.gatewayUrl, CF_LIST, { token });
    assert.equal(before.errors, undefined, JSON.stringify(before.errors));
    const listed = before.data!.me.recommendations as { algorithm: string; source: string }[];
    assert.ok(listed.length > 0 && listed.every((item) => item.source === "MODEL"), JSON.stringify(listed[0]));
    // Scores blend the collaborative models by the weights the hybrid learnt on held-out
    // readers, and on this small catalogue ALS may earn none: corrupting a model that does
    // not serve would change nothing. So the fault hits ALS when it serves, else one that does.
    const servingBefore = [...new Set(scoring.flatMap((prediction) => modelsNamed(prediction.algorithm)))];
    const name = (servingBefore.includes("als") ? "als" : servingBefore[0]!) as ModelName;
    const named = new RegExp(`(^|[(+])${name}([)+]|$)`);

    // Corrupt every graph of its production version and re-announce it, as a redeploy or restart would load it.
    const corrupted = (await productionVersions(running.runtime.db.prisma)).find((row) => row.name === name)!;
    const dir = resolveArtifactPath(models.artifactsDir, corrupted.artifactPath);
    for (const file of (await readdir(dir)).filter((file) => file.endsWith(".onnx"))) await appendFile(join(dir, file), "garbage");
    await engine.switchModel({ name, version: corrupted.version });
    assert.equal(engine.models.versions()[name], undefined, "the corrupted version is not served");
    assert.match(engine.models.whyMissing(name), new RegExp(`production version ${corrupted.version} cannot be loaded: .+`));
    assert.ok(name in engine.snapshot().modelsMissing, "/metrics lists it");

    // The scores now say what served instead: the remaining collaborative models, or popularity.
    const fallback = await engine.predictions(reader, books);
    for (const prediction of fallback.values()) {
      assert.ok(!named.test(prediction.algorithm), JSON.stringify(prediction));
      if (prediction.source !== "MODEL") assert.deepEqual({ source: prediction.source, algorithm: prediction.algorithm, modelVersion: prediction.modelVersion }, { source: "POPULARITY", algorithm: "popularity", modelVersion: null });
    }

    // The reader's list changes its algorithm (the list cache retires on a model switch).
    await engine.readers.invalidate(reader);
    const after = await graphql(running.gatewayUrl, CF_LIST, { token });
    assert.equal(after.errors, undefined, JSON.stringify(after.errors));
    const served = after.data!.me.recommendations as { algorithm: string; source: string }[];
    assert.ok(served.length > 0);
    assert.ok(served.every((item) => !named.test(item.algorithm)), JSON.stringify(served[0]));
  });
});
