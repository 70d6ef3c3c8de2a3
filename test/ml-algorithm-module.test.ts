import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { defineAlgorithm } from "../ml-models/algorithms/algorithm.ts";
import { exportNeighbours, loadNeighbours, restoredTable, snapshotNeighbours } from "../ml-models/algorithms/neighbour-family.ts";
import { ALGORITHMS } from "../ml-models/algorithms/registry.ts";
import { ItemNeighbourModel, neighbourTable } from "../ml-models/models/item-neighbours.ts";
import { modelChangedPublisher } from "../ml-models/pipeline/publish.ts";
import { trainAll } from "../ml-models/pipeline/train-all.ts";
import { listVersions } from "../ml-models/registry/registry.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import { databaseTargets } from "./support/databases.ts";
import { graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { TEST_TRAINING } from "./support/trained-models.ts";

/**
 * An algorithm that exists only in this file: books ranked by how many readers
 * they share with a book (raw co-readership). It is a module like the real ones
 * (ml-models/algorithms/), handed to the pipeline in the test's own algorithm
 * list, and nothing else in the project knows its name: training, ONNX export,
 * the registry and serving through the gateway must all take it from its module
 * and its version's serving description.
 */
interface CoReadParams {
  readonly neighbours: number;
}

class CoReadModel extends ItemNeighbourModel {
  readonly name = "co-read-test";
  constructor(index: Int32Array, score: Float32Array, itemCount: number, readonly params: CoReadParams) {
    super(index, score, itemCount, params.neighbours, 1);
  }
  get hyperparameters() {
    return { ...this.params };
  }
}

const coRead = defineAlgorithm<CoReadModel, CoReadParams>({
  name: "co-read-test",
  role: "collaborative",
  firstRun: true,
  defaults: { neighbours: 15 },
  searchSpace: [{ neighbours: 30 }],
  async train({ matrices: { userItem, itemUser } }, params) {
    const { index, score } = neighbourTable(itemUser.rows, params.neighbours, (i, weights, touched) => {
      let count = 0;
      for (let e = itemUser.indptr[i]!; e < itemUser.indptr[i + 1]!; e++) {
        const u = itemUser.indices[e]!;
        for (let f = userItem.indptr[u]!; f < userItem.indptr[u + 1]!; f++) {
          const j = userItem.indices[f]!;
          if (weights[j] === 0) touched[count++] = j;
          weights[j]! += 0.1;
        }
      }
      return count;
    });
    return new CoReadModel(index, score, itemUser.rows, params);
  },
  paramsOf: (model) => model.params,
  snapshot: (model) => ({ ...snapshotNeighbours(model), params: model.params }),
  restore(snapshot) {
    const { index, score, itemCount } = restoredTable(snapshot);
    return new CoReadModel(index, score, itemCount, snapshot.params as CoReadParams);
  },
  export: (model, history, sampler) => exportNeighbours("co-read-test", model, history, sampler),
  async load(version) {
    const { index, score, width } = await loadNeighbours(version);
    return new CoReadModel(index, score, version.itemCount, { neighbours: width });
  },
});

for (const target of databaseTargets()) {
  describe(`an algorithm added as one module is trained, exported, registered and served (${target.name})`, () => {
    let running: TestSupergraph;
    let artifactsDir: string;

    before(async () => {
      running = await startTestSupergraph(target, { books: 120, users: 100, seed: 5 });
      artifactsDir = await mkdtemp(join(tmpdir(), "shelfgraph-module-"));
    });
    after(async () => {
      await running?.stop();
      if (artifactsDir) await rm(artifactsDir, { recursive: true, force: true });
    });

    it("serves its similar books, a reader's list and scores through the gateway", async () => {
      const popularity = ALGORITHMS.find((algorithm) => algorithm.name === "popularity")!;
      const summary = await trainAll(running.runtime.db, {
        artifactsDir,
        promotionMargin: 0.01,
        publish: modelChangedPublisher(running.runtime.pubsub),
        training: { ...TEST_TRAINING, algorithms: [popularity, coRead] },
      });
      const trained = summary.models.find((m) => m.name === "co-read-test");
      assert.ok(trained, "trained and registered");
      assert.equal(trained.status, "PRODUCTION");
      assert.deepEqual(trained.checks.map((c) => c.file).sort(), ["neighbours.onnx#history-scorer", "neighbours.onnx#history-top-k", "neighbours.onnx#item-neighbours"]);
      assert.ok((await listVersions(running.runtime.db, "co-read-test")).some((row) => row.status === "PRODUCTION"));

      const engine = recommendationEngineOf(running.runtime);
      const deadline = Date.now() + 15_000;
      while (!("co-read-test" in engine.models.versions())) {
        if (Date.now() > deadline) throw new Error("the new model was not loaded for serving");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }

      const [row] = await running.runtime.db.prisma.$queryRaw<{ user_id: number; book_id: number }[]>`
        SELECT r.user_id, (SELECT book_id FROM ratings WHERE user_id = r.user_id ORDER BY created_at DESC LIMIT 1) AS book_id
        FROM ratings r GROUP BY r.user_id HAVING count(*) >= 8 ORDER BY count(*) DESC, r.user_id LIMIT 1`;
      const token = await signAccessToken(running.runtime.config, { userId: row!.user_id, role: "READER" });
      const before = engine.snapshot().inference.byGraph;
      const answer = await graphql(
        running.gatewayUrl,
        `{ book(id: "${row!.book_id}") { similar(limit: 5, strategy: CF) { book { id score } algorithm source reasons } }
           me { recommendations(limit: 5, strategy: CF) { book { id } algorithm source reasons } } }`,
        { token },
      );
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const data = answer.data as {
        book: { similar: { book: { id: string; score: number }; algorithm: string; source: string; reasons: string[] }[] };
        me: { recommendations: { algorithm: string; source: string; reasons: string[] }[] };
      };
      assert.ok(data.book.similar.length > 0);
      for (const entry of data.book.similar) {
        assert.match(entry.algorithm, /^co-read-test/);
        assert.ok(["MODEL", "MODEL_BLENDED"].includes(entry.source), entry.source);
        assert.ok(entry.reasons.length > 0);
        assert.ok(entry.book.score >= 0 && entry.book.score <= 1);
      }
      assert.ok(data.me.recommendations.length > 0);
      for (const entry of data.me.recommendations) {
        assert.match(entry.algorithm, /^co-read-test/);
        assert.ok(entry.reasons.length > 0);
      }
      // The reader's scores came from the new model's history scorer, not the popularity fallback.
      const after = engine.snapshot().inference.byGraph;
      const runs = (graph: RegExp, counts: Record<string, number>) => Object.entries(counts).filter(([key]) => graph.test(key)).reduce((sum, [, n]) => sum + n, 0);
      assert.ok(runs(/co-read-test.*history-scorer/, after) > runs(/co-read-test.*history-scorer/, before), JSON.stringify(after));
      assert.ok(runs(/co-read-test.*item-neighbours/, after) > 0, JSON.stringify(after));
    });
  });
}
