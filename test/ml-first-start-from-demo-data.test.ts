import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { applyMigrations } from "../lib/db/migrate.ts";
import { extractFromDatabase } from "../ml-models/extract/database.ts";
import { datasetFromDemoData } from "../ml-models/extract/demo-dataset.ts";
import { trainFirstStartSetAlongsideSeed } from "../ml-models/pipeline/first-start-alongside-seed.ts";
import { productionSet } from "../ml-models/pipeline/first-start-set.ts";
import { isFirstStartVersion, listVersions, type ModelChangedEvent } from "../ml-models/registry/registry.ts";
import { generateDemoData, seedDemoData } from "../prisma/seed/index.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

const OPTIONS = { books: 300, users: 200, seed: 11, referenceTime: Date.UTC(2025, 5, 1) } as const;

for (const target of databaseTargets()) {
  describe(`the first-start set trained from the demo data in memory (${target.name})`, () => {
    let database: TestDatabase;
    let artifactsDir: string;
    const logger = pino({ level: "silent" });

    before(async () => {
      database = await target.create();
      await applyMigrations(database.db);
      artifactsDir = await mkdtemp(join(tmpdir(), "ml-first-start-memory-"));
    });
    after(async () => {
      await database?.drop();
      await rm(artifactsDir, { recursive: true, force: true });
    });

    it("registers nothing until the data is written, then the first-start set of exactly that data", async () => {
      const { model: _hidden, ...demoData } = generateDemoData(OPTIONS);
      const events: ModelChangedEvent[] = [];
      const run = trainFirstStartSetAlongsideSeed(database.db, Promise.resolve(demoData), {
        artifactsDir,
        promotionMargin: 0.01,
        keepVersions: 10,
        publish: async (event) => void events.push(event),
        logger,
      });
      let finished = false;
      try {
        await seedDemoData(database.db, { ...OPTIONS, logger, pregenerated: Promise.resolve(demoData) });
        // The run trains while the seed writes, but nothing reaches the registry before finish(true).
        assert.equal(await productionSet(database.db), "none");
        assert.equal(await run.finish(true), "first-start");
        finished = true;
      } finally {
        // A failed assertion must not leave the worker waiting for its word.
        if (!finished) await run.finish(false);
      }

      // What the extraction reads back from the written tables is what the run trained on.
      const extracted = await extractFromDatabase(database.db);
      const inMemory = datasetFromDemoData(demoData);
      assert.deepEqual(inMemory.summary, extracted.summary);
      assert.deepEqual(inMemory.dataset.userMap.ids, extracted.dataset.userMap.ids);
      assert.deepEqual(inMemory.dataset.itemMap.ids, extracted.dataset.itemMap.ids);
      assert.deepEqual(inMemory.dataset.interactions, extracted.dataset.interactions);
      assert.deepEqual(inMemory.dataset.features, extracted.dataset.features);

      const production = (await listVersions(database.db)).filter((row) => row.status === "PRODUCTION");
      assert.ok(production.length > 0 && production.every(isFirstStartVersion));
      assert.ok(production.some((row) => row.name === "hybrid"));
      assert.deepEqual(events.map((e) => e.name).sort(), production.map((row) => row.name).sort());
    });

    it("drops the early run when its data was not written: production stays as it was", async () => {
      const { model: _hidden, ...otherData } = generateDemoData({ ...OPTIONS, seed: 12 });
      const run = trainFirstStartSetAlongsideSeed(database.db, Promise.resolve(otherData), {
        artifactsDir,
        promotionMargin: 0.01,
        keepVersions: 10,
        publish: async () => {},
        logger,
      });
      // Production already holds the set from the previous test: nothing is trained or registered.
      const before = (await listVersions(database.db)).length;
      assert.equal(await run.finish(false), "first-start");
      assert.equal((await listVersions(database.db)).length, before);
    });
  });
}
