import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { firstStartModels } from "../ml-models/pipeline/first-start-set.ts";
import { trainAll } from "../ml-models/pipeline/train-all.ts";
import { DEFAULT_TRAINING, type TrainingOptions } from "../ml-models/pipeline/train-models.ts";
import { listVersions } from "../ml-models/registry/registry.ts";
import { startScheduler } from "../ml-models/trainer/scheduler.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { plantedData } from "./support/ml-planted-data.ts";

const FAST: TrainingOptions = {
  ...DEFAULT_TRAINING,
  params: { als: { factors: 16, iterations: 4 }, content: { dimensions: 8 }, popularity: { halfLifeFraction: Infinity } },
  searchSpaces: { als: [], popularity: [], "item-cf": [] },
  tuningUsers: 40,
  hybridStep: 0.5,
};

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

async function insertRatings(db: Database): Promise<number> {
  const data = plantedData({ users: 80, items: 40, perUser: 10 });
  await db.withConnection(async (c) => {
    await c.query(`INSERT INTO users (id, display_name) SELECT g, 'Reader ' || g FROM generate_series(1, $1::int) g`, [data.users]);
    await c.query(`INSERT INTO books (id, title) SELECT g, 'Book ' || g FROM generate_series(1, $1::int) g`, [data.items]);
    await c.query(
      `INSERT INTO ratings (user_id, book_id, rating) SELECT * FROM unnest($1::int[], $2::int[], $3::int[])`,
      [data.rows.map((r) => r.user), data.rows.map((r) => r.item), data.rows.map((r) => r.rating)],
    );
  });
  return data.rows.length;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the trainer");
    await sleep(100);
  }
}

for (const target of databaseTargets()) {
  describe(`trainer schedule (${target.name})`, () => {
    let database: TestDatabase;
    let artifactsDir: string;
    before(async () => {
      database = await target.create();
      await applyMigrations(database.db);
      artifactsDir = await mkdtemp(join(tmpdir(), "ml-trainer-"));
    });
    after(async () => {
      await database.drop();
      await rm(artifactsDir, { recursive: true, force: true });
    });

    it("rejects an invalid cron expression at start", () => {
      const { logger } = capturingLogger();
      assert.throws(() =>
        startScheduler({ db: database.db, logger, cron: "every day at noon", newSignalsThreshold: 1, checkIntervalMs: 60_000, train: () => trainAll(database.db, { artifactsDir, promotionMargin: 0.01, training: FAST }) }),
      );
    });

    it("logs a failing run, keeps the registry empty, then retrains once enough new interactions arrive", async () => {
      const { logger, lines } = capturingLogger();
      const scheduler = startScheduler({
        db: database.db,
        logger,
        cron: "0 3 * * *",
        newSignalsThreshold: 50,
        checkIntervalMs: 100,
        train: () => trainAll(database.db, { artifactsDir, promotionMargin: 0.01, training: FAST, logger }),
      });
      try {
        assert.ok(scheduler.nextScheduledRun() instanceof Date);
        assert.equal(await scheduler.runNow("manual"), false);
        const failure = lines.find((l) => l.msg === "training run failed; production models unchanged");
        assert.ok(failure, "the failed run is logged");
        assert.match(JSON.stringify(failure.err), /no ratings or interactions/);
        assert.deepEqual(await listVersions(database.db), []);

        await insertRatings(database.db);
        await until(async () => lines.some((l) => l.msg === "training run finished" && l.trigger === "new-interactions"), 60_000);
        // Titles "Book 1".."Book 40" carry no content signal: that model is skipped, not the run.
        const versions = await listVersions(database.db);
        assert.deepEqual(versions.filter((v) => v.status === "PRODUCTION").map((v) => v.name).sort(), ["als", "ease", "hybrid", "item-cf", "popularity", "rp3beta"]);
        // Nothing new since that run: the threshold does not fire again.
        await sleep(500);
        assert.equal((await listVersions(database.db)).length, 6);
      } finally {
        await scheduler.stop();
      }
    });

    it("trains no first-start set when a full set is in production", async () => {
      const before = await listVersions(database.db);
      assert.equal(await firstStartModels(database.db, { artifactsDir, promotionMargin: 0.01, logger: capturingLogger().logger }), "full");
      assert.deepEqual(await listVersions(database.db), before);
    });
  });
}
