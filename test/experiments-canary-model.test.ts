import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { resolveArtifactPath } from "../lib/models/artifact-format.ts";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, type TrainedModels } from "./support/trained-models.ts";
import { until } from "./support/eventually.ts";

const CREATE = `mutation Create($input: CreateExperimentInput!) { createExperiment(input: $input) { key variants { key modelVersion } } }`;
const START = `mutation Start($key: String!) { startExperiment(key: $key) { status } }`;
const COMPLETE = `mutation Complete($key: String!) { completeExperiment(key: $key) { status } }`;
const MY_LIST = `{ me { recommendations(limit: 8) { book { id } algorithm source modelVersion variant } } }`;

type Item = { book: { id: string }; algorithm: string; source: string; modelVersion: number | null; variant: string | null };

const ok = (result: GraphQLResult) => {
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!;
};

for (const target of databaseTargets()) {
  describe(`a canary variant serves its pinned model version through the gateway (${target.name})`, () => {
    let running: TestSupergraph;
    let models: TrainedModels;
    let admin: string;
    let readers: number[];
    let production: number;
    let canary: number;

    before(async () => {
      running = await startTestSupergraph(target, { books: 200, users: 150, seed: 13 });
      const engine = recommendationEngineOf(running.runtime);
      models = await trainTestModels(running.runtime);
      await until(() => ("als" in engine.models.versions() ? true : undefined), 15_000, "models to load");
      // A second ALS version, registered but not promoted: the canary.
      await models.retrain(Number.MAX_SAFE_INTEGER);
      const versions = await running.runtime.db.prisma.modelVersion.findMany({ where: { name: "als" }, orderBy: { version: "asc" } });
      production = versions.find((row) => row.status === "PRODUCTION")!.version;
      canary = versions.filter((row) => row.status !== "PRODUCTION" && row.status !== "ARCHIVED").at(-1)!.version;
      assert.equal(engine.models.versions().als, production);
      admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      const rows = await running.runtime.db.prisma.$queryRaw<{ user_id: number }[]>`
        SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY user_id LIMIT 16`;
      readers = rows.map((row) => row.user_id);
    });
    after(async () => {
      await running?.stop();
      await models?.remove();
    });

    it("serves canary readers the pinned version and control readers production, then releases it when the experiment ends", async () => {
      assert.notEqual(canary, production);
      const url = running.gatewayUrl;
      const input = {
        key: "als-canary",
        surface: "USER_RECOMMENDATIONS",
        trafficPercent: 100,
        variants: [
          { key: "control", weight: 1, strategy: "CF" },
          { key: "canary", weight: 1, strategy: "CF", modelVersion: canary },
        ],
      };
      assert.deepEqual(ok(await graphql(url, CREATE, { variables: { input }, token: admin })).createExperiment.variants[1], { key: "canary", modelVersion: canary });
      ok(await graphql(url, START, { variables: { key: "als-canary" }, token: admin }));

      const seen = { control: new Set<number | null>(), canary: new Set<number | null>() };
      for (const reader of readers) {
        const token = await signAccessToken(running.runtime.config, { userId: reader, role: "READER" });
        for (let request = 0; request < 2; request++) {
          const items: Item[] = ok(await graphql(url, MY_LIST, { token })).me.recommendations;
          assert.ok(items.length > 0, `reader ${reader} got a list`);
          for (const item of items) {
            const variant = item.variant as "control" | "canary";
            assert.ok(variant === "control" || variant === "canary", `reader ${reader}: variant ${item.variant}`);
            if (item.source.startsWith("MODEL")) seen[variant].add(item.modelVersion);
          }
        }
      }
      assert.deepEqual([...seen.canary], [canary], "canary readers are served the pinned version");
      assert.ok(!seen.control.has(canary), `control readers never see the canary: ${[...seen.control].join(",")}`);
      assert.ok(seen.control.size > 0, "some control reader was served by a model");

      const engine = recommendationEngineOf(running.runtime);
      assert.deepEqual(engine.models.pinned.keys(), [`als@${canary}`]);
      ok(await graphql(url, COMPLETE, { variables: { key: "als-canary" }, token: admin }));
      await until(async () => {
        await engine.releaseUnpinned();
        return engine.models.pinned.keys().length === 0 ? true : undefined;
      }, 20_000, "the pinned version to be released");
    });

    it("serves production, without an error, when the pinned version's files cannot be loaded", async () => {
      const url = running.gatewayUrl;
      const row = await running.runtime.db.prisma.modelVersion.findUniqueOrThrow({ where: { name_version: { name: "als", version: canary } } });
      await rm(resolveArtifactPath(models.artifactsDir, row.artifactPath), { recursive: true, force: true });
      const input = {
        key: "als-canary-broken",
        surface: "USER_RECOMMENDATIONS",
        trafficPercent: 100,
        variants: [
          { key: "control", weight: 1, strategy: "CF" },
          { key: "canary", weight: 1, strategy: "CF", modelVersion: canary },
        ],
      };
      ok(await graphql(url, CREATE, { variables: { input }, token: admin }));
      ok(await graphql(url, START, { variables: { key: "als-canary-broken" }, token: admin }));
      const canaryVersions = new Set<number | null>();
      for (const reader of readers) {
        const token = await signAccessToken(running.runtime.config, { userId: reader, role: "READER" });
        const items: Item[] = ok(await graphql(url, MY_LIST, { token })).me.recommendations;
        assert.ok(items.length > 0, `reader ${reader} got a list`);
        for (const item of items) if (item.variant === "canary" && item.source.startsWith("MODEL")) canaryVersions.add(item.modelVersion);
      }
      assert.ok(canaryVersions.size > 0, "some canary reader was served by a model");
      assert.ok(!canaryVersions.has(canary), `the unloadable version is not claimed: ${[...canaryVersions].join(",")}`);
      assert.deepEqual(recommendationEngineOf(running.runtime).models.pinned.keys(), []);
    });
  });
}
