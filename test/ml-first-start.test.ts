import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { ALGORITHMS } from "../ml-models/algorithms/registry.ts";
import { productionSet, trainFirstStartSet } from "../ml-models/pipeline/first-start-set.ts";
import { trainAll } from "../ml-models/pipeline/train-all.ts";
import { trainAllInWorker } from "../ml-models/pipeline/train-in-worker.ts";
import { DEFAULT_TRAINING } from "../ml-models/pipeline/train-models.ts";
import { isFirstStartVersion, listVersions, type ModelChangedEvent } from "../ml-models/registry/registry.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { plantedData } from "./support/ml-planted-data.ts";

async function insertRatings(db: Database): Promise<void> {
  const data = plantedData({ users: 80, items: 40, perUser: 10 });
  await db.withConnection(async (c) => {
    await c.query(`INSERT INTO users (id, display_name) SELECT g, 'Reader ' || g FROM generate_series(1, $1::int) g`, [data.users]);
    await c.query(`INSERT INTO books (id, title) SELECT g, 'Book ' || g FROM generate_series(1, $1::int) g`, [data.items]);
    await c.query(
      `INSERT INTO ratings (user_id, book_id, rating, created_at, updated_at)
       SELECT u, b, r, t, t FROM unnest($1::int[], $2::int[], $3::int[], $4::timestamptz[]) AS x(u, b, r, t)`,
      [data.rows.map((r) => r.user), data.rows.map((r) => r.item), data.rows.map((r) => r.rating), data.rows.map((r) => new Date(r.time).toISOString())],
    );
  });
}

const production = async (db: Database) =>
  (await listVersions(db)).filter((row) => row.status === "PRODUCTION").map((row) => `${row.name} v${row.version}${isFirstStartVersion(row) ? " first-start" : ""}`).sort();

for (const target of databaseTargets()) {
  describe(`the first-start model set (${target.name})`, () => {
    let database: TestDatabase;
    let artifactsDir: string;
    const logger = pino({ level: "silent" });

    before(async () => {
      database = await target.create();
      await applyMigrations(database.db);
      await insertRatings(database.db);
      artifactsDir = await mkdtemp(join(tmpdir(), "ml-first-start-"));
    });
    after(async () => {
      await database?.drop();
      await rm(artifactsDir, { recursive: true, force: true });
    });

    it("trains the quick set (no ALS or EASE), flagged first-start in the registry", async () => {
      assert.equal(await productionSet(database.db), "none");
      await trainFirstStartSet(database.db, { artifactsDir, promotionMargin: 0.01, logger });
      // Titles "Book 1".."Book 40" carry no content signal: content is skipped.
      assert.deepEqual(await production(database.db), ["hybrid v1 first-start", "item-cf v1 first-start", "popularity v1 first-start", "rp3beta v1 first-start"]);
      assert.equal(await productionSet(database.db), "first-start");
    });

    it("is replaced entirely by the full run on a worker thread, whatever the metrics, announced on MODEL_CHANGED", async () => {
      const events: ModelChangedEvent[] = [];
      const running = trainAllInWorker(database.db, {
        artifactsDir,
        // No margin a first-start model could hold the line with: replacement is unconditional.
        promotionMargin: 10,
        keepVersions: 10,
        ...(database.env?.DATABASE_URL ? { databaseUrl: database.env.DATABASE_URL } : {}),
        publish: async (event) => {
          events.push(event);
        },
        logger,
      });
      const result = await running.finished;
      await running.stop();
      assert.deepEqual(result.models.map((m) => m.status), result.models.map(() => "PRODUCTION"));
      assert.deepEqual(await production(database.db), ["als v1", "ease v1", "hybrid v2", "item-cf v2", "popularity v2", "rp3beta v2"]);
      assert.equal(await productionSet(database.db), "full");
      assert.deepEqual(events.map((e) => `${e.name} v${e.version}`).sort(), ["als v1", "ease v1", "hybrid v2", "item-cf v2", "popularity v2", "rp3beta v2"]);
      // The database session is left clean for the serving thread: no open transaction, no lock.
      const [state] = await database.db.withConnection((c) =>
        c.query<{ locks: number }>("SELECT count(*)::int AS locks FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"),
      );
      assert.equal(state!.locks, 0);
    });

    it("never survives a full run, even for a model that run did not train", async () => {
      // Promoted over the full set by a negative margin here (npm start trains it only when production is empty).
      await trainFirstStartSet(database.db, { artifactsDir, promotionMargin: -1, logger });
      assert.ok((await production(database.db)).includes("rp3beta v3 first-start"));
      const withoutRp3beta = ALGORITHMS.filter((a) => a.name !== "rp3beta");
      await trainAll(database.db, {
        artifactsDir,
        promotionMargin: 0.01,
        logger,
        training: { ...DEFAULT_TRAINING, algorithms: withoutRp3beta, searchSpaces: { als: [], ease: [], popularity: [], "item-cf": [] }, tuningUsers: 40 },
      });
      const served = await production(database.db);
      assert.ok(!served.some((entry) => entry.startsWith("rp3beta")), "the first-start rp3beta is archived, not kept");
      assert.deepEqual(served.filter((entry) => entry.endsWith("first-start")), []);
      assert.equal(await productionSet(database.db), "full");
    });
  });
}
