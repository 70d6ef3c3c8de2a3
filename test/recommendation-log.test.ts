import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { applyMigrations } from "../lib/db/migrate.ts";
import { openDatabase } from "../lib/db/database.ts";
import { createLogger } from "../lib/logger.ts";
import { RecommendationLogWriter, type RecommendationLogEntry } from "../subgraphs/recommendations/serving/recommendation-log.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";
import { freePort } from "./support/ports.ts";

const logger = createLogger({ NODE_ENV: "test", LOG_LEVEL: "silent" }, "test");

const entry = (userId: number | null, n: number): RecommendationLogEntry => ({
  requestId: `request-${n}`,
  userId,
  seedBookId: null,
  strategy: "HYBRID",
  source: "MODEL",
  modelName: "als",
  modelVersion: 3,
  variantKey: "default",
  bookIds: [n, n + 1, n + 2],
  scores: [0.9, 0.5, 0.25],
});

for (const target of databaseTargets()) {
  describe(`recommendation log on ${target.name}`, () => {
    let database: TestDatabase;
    let reader: number;
    before(async () => {
      database = await target.create();
      await applyMigrations(database.db);
      reader = (await database.db.prisma.user.create({ data: { displayName: "Reader" } })).id;
    });
    after(() => database?.drop());

    it("writes batches of any size with one statement shape, keeping every reader's list and a weighted sample of anonymous ones", async () => {
      const { prisma } = database.db;
      await prisma.recommendationLog.deleteMany();
      let coin = 0;
      // A deterministic coin: every fourth anonymous list is kept at rate 0.25.
      const writer = new RecommendationLogWriter(prisma, logger, { anonymousSampleRate: 0.25, retentionDays: 90, random: () => (coin++ % 4) / 4 });
      try {
        for (const size of [1, 7, 199, 250]) {
          for (let n = 0; n < size; n++) writer.append(entry(reader, n));
          await writer.flush();
        }
        for (let n = 0; n < 400; n++) writer.append(entry(null, n));
        await writer.flush();
      } finally {
        await writer.close();
      }
      assert.equal(await prisma.recommendationLog.count({ where: { userId: reader } }), 1 + 7 + 199 + 250);
      const anonymous = await prisma.recommendationLog.findMany({ where: { userId: null } });
      assert.equal(anonymous.length, 100, "a quarter of the anonymous lists");
      assert.ok(anonymous.every((row) => row.sampleWeight === 4), "each stands for four lists");
      assert.equal(writer.sampledOut, 300);
      const one = await prisma.recommendationLog.findFirstOrThrow({ where: { userId: reader, requestId: "request-5" } });
      assert.deepEqual(one.bookIds, [5, 6, 7]);
      assert.deepEqual(one.scores, [0.9, 0.5, 0.25]);
      assert.equal(one.modelVersion, 3);
    });

    it("logs scores with six decimals, whatever precision the list carried", async () => {
      const { prisma } = database.db;
      await prisma.recommendationLog.deleteMany();
      const writer = new RecommendationLogWriter(prisma, logger, { anonymousSampleRate: 1, retentionDays: 90 });
      try {
        writer.append({ ...entry(reader, 1), scores: [0.41052284411021643, 0.0000004, 1] });
        await writer.flush();
      } finally {
        await writer.close();
      }
      assert.deepEqual((await prisma.recommendationLog.findFirstOrThrow({ where: { userId: reader } })).scores, [0.410523, 0, 1]);
    });

    it("prunes rows past the retention and keeps the rest", async () => {
      const { prisma } = database.db;
      await prisma.recommendationLog.deleteMany();
      await prisma.recommendationLog.createMany({
        data: [
          { userId: reader, strategy: "CF", source: "MODEL", bookIds: [1], scores: [1], createdAt: new Date(Date.now() - 31 * 86_400_000) },
          { userId: reader, strategy: "CF", source: "MODEL", bookIds: [2], scores: [1], createdAt: new Date(Date.now() - 29 * 86_400_000) },
        ],
      });
      const writer = new RecommendationLogWriter(prisma, logger, { anonymousSampleRate: 0.1, retentionDays: 30 });
      try {
        assert.equal(await writer.prune(), 1);
      } finally {
        await writer.close();
      }
      assert.deepEqual((await prisma.recommendationLog.findMany()).map((row) => row.bookIds), [[2]]);
    });
  });
}

describe("recommendation log while the database is unreachable", () => {
  it("keeps the entries buffered instead of losing them, and never throws to the caller", async () => {
    const db = await openDatabase({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: "unused" });
    const writer = new RecommendationLogWriter(db.prisma, logger, { anonymousSampleRate: 1, retentionDays: 90 });
    try {
      for (let n = 0; n < 42; n++) writer.append(entry(7, n));
      await writer.flush();
      assert.equal(writer.buffered, 42);
      assert.equal(writer.written, 0);
    } finally {
      await writer.close();
      await db.close();
    }
  });
});
