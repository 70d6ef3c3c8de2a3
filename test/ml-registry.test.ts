import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { hasProductionModels, trainAll, type TrainAllOptions } from "../ml-models/pipeline/train-all.ts";
import { DEFAULT_TRAINING, EmptyDataError, trainAndEvaluate, type TrainingOptions } from "../ml-models/pipeline/train-models.ts";
import { extractFromDatabase } from "../ml-models/extract/database.ts";
import { registerRun } from "../ml-models/pipeline/register-run.ts";
import { splitByTime } from "../ml-models/split/time-split.ts";
import { CorruptArtifactError, verifyVersion } from "../ml-models/registry/artifacts.ts";
import { listVersions, promote, rollback, RegistryError, type ModelChangedEvent } from "../ml-models/registry/registry.ts";
import pg from "pg";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { plantedData } from "./support/ml-planted-data.ts";

const FAST: TrainingOptions = {
  ...DEFAULT_TRAINING,
  params: { als: { factors: 16, iterations: 5 }, content: { dimensions: 8 }, popularity: { halfLifeFraction: Infinity } },
  searchSpaces: { als: [], popularity: [] },
  tuningUsers: 60,
  hybridStep: 0.5,
};

/** Writes the planted readers, books (with authors and genres) and ratings through SQL. */
async function insertPlantedData(db: Database): Promise<void> {
  const data = plantedData();
  await db.withConnection(async (c) => {
    await c.query(`INSERT INTO users (id, display_name) SELECT g, 'Reader ' || g FROM generate_series(1, $1::int) g`, [data.users]);
    const ids = [...data.features.keys()];
    const f = ids.map((id) => data.features.get(id)!);
    await c.query(
      `INSERT INTO books (id, title, description, language, publication_year)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[])`,
      [ids, f.map((x) => x.title), f.map((x) => x.description), f.map((x) => x.language), f.map((x) => x.year)],
    );
    const authors = [...new Set(f.map((x) => x.authors[0]!))];
    const genres = [...new Set(f.map((x) => x.genres[0]!))];
    await c.query(`INSERT INTO authors (id, name) SELECT i, n FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i)`, [authors]);
    await c.query(`INSERT INTO genres (id, name, slug) SELECT i, n, lower(replace(n, ' ', '-')) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i)`, [genres]);
    await c.query(`INSERT INTO book_authors (book_id, author_id) SELECT * FROM unnest($1::int[], $2::int[])`, [ids, f.map((x) => authors.indexOf(x.authors[0]!) + 1)]);
    await c.query(`INSERT INTO book_genres (book_id, genre_id) SELECT * FROM unnest($1::int[], $2::int[])`, [ids, f.map((x) => genres.indexOf(x.genres[0]!) + 1)]);
    await c.query(
      `INSERT INTO ratings (user_id, book_id, rating, created_at, updated_at)
       SELECT u, b, r, t, t FROM unnest($1::int[], $2::int[], $3::int[], $4::timestamptz[]) AS x(u, b, r, t)`,
      [data.rows.map((r) => r.user), data.rows.map((r) => r.item), data.rows.map((r) => r.rating), data.rows.map((r) => new Date(r.time).toISOString())],
    );
  });
}

for (const target of databaseTargets()) {
  describe(`model registry and training runs (${target.name})`, () => {
    let database: TestDatabase;
    let db: Database;
    let artifactsDir: string;
    const events: ModelChangedEvent[] = [];
    const publish = async (event: ModelChangedEvent) => {
      events.push(event);
    };
    const options = (extra: Partial<TrainAllOptions> = {}): TrainAllOptions => ({ artifactsDir, promotionMargin: 0.01, training: FAST, publish, ...extra });
    const snapshot = async () => (await listVersions(db)).map((r) => `${r.name} v${r.version} ${r.status} ${r.promotedAt?.getTime() ?? "-"}`);

    before(async () => {
      database = await target.create();
      db = database.db;
      await applyMigrations(db);
      artifactsDir = await mkdtemp(join(tmpdir(), "ml-registry-"));
    });
    after(async () => {
      await database.drop();
      await rm(artifactsDir, { recursive: true, force: true });
    });

    it("an empty database fails with a clear message and registers nothing", async () => {
      await assert.rejects(trainAll(db, options()), (error: unknown) => error instanceof EmptyDataError && /no ratings or interactions/.test(error.message));
      assert.deepEqual(await listVersions(db), []);
      assert.equal(await hasProductionModels(db), false);
    });

    it("the first run registers, promotes and publishes every model, with verified artifacts and a report", async () => {
      await insertPlantedData(db);
      const summary = await trainAll(db, options());
      assert.deepEqual(summary.models.map((m) => `${m.name} v${m.version} ${m.status}`).sort(), [
        "als v1 PRODUCTION",
        "content v1 PRODUCTION",
        "ease v1 PRODUCTION",
        "hybrid v1 PRODUCTION",
        "item-cf v1 PRODUCTION",
        "popularity v1 PRODUCTION",
        "rp3beta v1 PRODUCTION",
      ]);
      const als = summary.models.find((m) => m.name === "als")!;
      const popularity = summary.models.find((m) => m.name === "popularity")!;
      assert.ok(als.metrics.ndcgAt10 > 2 * popularity.metrics.ndcgAt10, `ALS ${als.metrics.ndcgAt10} vs popularity ${popularity.metrics.ndcgAt10}`);
      for (const row of await listVersions(db)) {
        await verifyVersion(row.artifactPath, row.sha256);
        assert.ok(existsSync(join(row.artifactPath, "id-maps.json")));
        assert.equal(row.trainRows + row.testRows, plantedData().rows.length);
        assert.equal(typeof row.metrics.ndcgAt10, "number");
      }
      assert.deepEqual(events.map((e) => e.name).sort(), ["als", "content", "ease", "hybrid", "item-cf", "popularity", "rp3beta"]);
      assert.ok(summary.report && existsSync(summary.report.html) && existsSync(summary.report.json));
      assert.equal(await hasProductionModels(db), true);
    });

    it("a second run on the same data re-scores production on the same test set and keeps the new versions as candidates", async () => {
      events.length = 0;
      const first = await listVersions(db);
      const summary = await trainAll(db, options());
      for (const model of summary.models) {
        assert.equal(model.version, 2);
        assert.equal(model.status, "CANDIDATE", `${model.name}: ${model.decision}`);
        const recorded = first.find((r) => r.name === model.name && r.version === 1)!.metrics.ndcgAt10 as number;
        // Production rebuilt from its ONNX files scores exactly what it scored when trained.
        assert.ok(model.production && Math.abs(model.production.metrics.ndcgAt10 - recorded) < 1e-6, `${model.name}: ${model.production?.metrics.ndcgAt10} vs ${recorded}`);
      }
      assert.deepEqual(events, []);
    });

    it("promote puts a candidate in production, archives the previous one and publishes", async () => {
      await promote(db, "als", 2, publish);
      const als = await listVersions(db, "als");
      assert.deepEqual(als.map((r) => `v${r.version} ${r.status}`), ["v2 PRODUCTION", "v1 ARCHIVED"]);
      assert.deepEqual(events.at(-1), { name: "als", version: 2, artifactPath: als[0]!.artifactPath, reason: "promoted" });
      await assert.rejects(promote(db, "als", 9, publish), RegistryError);
    });

    it("rollback returns production to the version promoted before", async () => {
      const row = await rollback(db, "als", publish);
      assert.equal(row.version, 1);
      assert.deepEqual((await listVersions(db, "als")).map((r) => `v${r.version} ${r.status}`), ["v2 ARCHIVED", "v1 PRODUCTION"]);
      assert.equal(events.at(-1)?.reason, "rolled-back");
      await assert.rejects(rollback(db, "als", publish), /no earlier production version/);
    });

    it("a corrupt artifact is refused with a clear error and the registry is unchanged", async () => {
      const before = await snapshot();
      const candidate = (await listVersions(db, "item-cf")).find((r) => r.version === 2)!;
      await writeFile(join(candidate.artifactPath, "neighbours.onnx"), "not a model");
      await assert.rejects(promote(db, "item-cf", 2, publish), (error: unknown) => error instanceof CorruptArtifactError && /neighbours\.onnx/.test(error.message));
      assert.deepEqual(await snapshot(), before);
    });

    it("a run that fails half way leaves the registry and production as they were", async () => {
      const before = await snapshot();
      const blocked = join(artifactsDir, "not-a-directory");
      await writeFile(blocked, "");
      await assert.rejects(trainAll(db, options({ artifactsDir: blocked })));
      assert.deepEqual(await snapshot(), before);
    });

    it("keeps only the newest versions of each model (never production, never a kept hybrid's components) and deletes older artifacts", async () => {
      const v2 = (await listVersions(db, "popularity")).find((r) => r.version === 2)!;
      // als v2 is archived and no hybrid blends it any more once v3 exists: it goes.
      const alsV2 = (await listVersions(db, "als")).find((r) => r.version === 2)!;
      await trainAll(db, options({ keepVersions: 1 }));
      const popularity = await listVersions(db, "popularity");
      // v1 is production (and blended by the production hybrid v1), v3 the newest; v2 goes.
      assert.deepEqual(popularity.map((r) => `v${r.version} ${r.status}`), ["v3 CANDIDATE", "v1 PRODUCTION"]);
      assert.ok(!existsSync(v2.artifactPath), "pruned version's files should be gone");
      assert.ok(!existsSync(alsV2.artifactPath));
      assert.deepEqual((await readdir(join(artifactsDir, "popularity"))).sort(), ["v1", "v3"]);
      const hybrid = (await listVersions(db, "hybrid")).find((r) => r.version === 3)!;
      assert.deepEqual(hybrid.hyperparameters.componentVersions, { popularity: 3, "item-cf": 3, rp3beta: 3, ease: 3, als: 3, content: 3 });
    });

    it("a hybrid keeps the component versions it blends even when they fall out of the newest", async () => {
      // Production hybrid v1 blends item-cf v1, which is production too; make item-cf v3 production and
      // prune hard: item-cf v1 must stay because the production hybrid still needs it.
      await promote(db, "item-cf", 3, publish);
      await trainAll(db, options({ keepVersions: 1 }));
      const itemCf = (await listVersions(db, "item-cf")).map((r) => `v${r.version} ${r.status}`);
      assert.deepEqual(itemCf, ["v4 CANDIDATE", "v3 PRODUCTION", "v1 ARCHIVED"]);
    });

    it("a database that goes away mid-run (between training and registration) ends the run with the driver's error and registers nothing", async () => {
      const before = await snapshot();
      const entries = async () => (await readdir(join(artifactsDir, "als"))).sort();
      const filesBefore = await entries();
      // trainAll's own steps, with the database cut after training: registration is where it must not half-happen.
      const { dataset } = await extractFromDatabase(db);
      const result = await trainAndEvaluate(dataset, splitByTime(dataset.interactions, dataset.userMap.ids.length), FAST);
      const name = target.name === "postgres" ? new URL(database.env.DATABASE_URL!).pathname.slice(1) : "";
      const admin = async (sql: string) => {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      if (target.name === "postgres") {
        // The server refuses new connections to the database and drops the open ones.
        await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
        await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
      } else {
        await db.close();
      }
      await assert.rejects(registerRun(db, dataset, result, { artifactsDir, promotionMargin: 0.01, keepVersions: 10, publish }), (error: unknown) => error instanceof Error);
      assert.deepEqual(await entries(), filesBefore, "no version directory is left behind");
      if (target.name === "postgres") {
        await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
        // The pool replaces the clients that lost their server: the registry is exactly as before.
        let after: string[] | undefined;
        for (let attempt = 0; attempt < 5 && !after; attempt++) after = await snapshot().catch(() => undefined);
        assert.deepEqual(after, before);
      } else {
        // The embedded database went with its handle; give after() a live one to drop.
        database = await target.create();
      }
    });
  });
}
