import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCache, type Cache } from "../lib/cache.ts";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { ExperimentVariants } from "../lib/experiments/serving-variants.ts";
import { createLogger } from "../lib/logger.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");

for (const target of databaseTargets()) {
  describe(`assignment on first exposure (${target.name})`, () => {
    let database: TestDatabase;
    let db: Database;
    let cache: Cache;
    let users: number[];

    const running = async (key: string, surface: "USER_RECOMMENDATIONS" | "SIMILAR_BOOKS", extra: Record<string, unknown> = {}) =>
      db.prisma.experiment.create({
        data: {
          key,
          name: key,
          surface,
          status: "RUNNING",
          startedAt: new Date(),
          ...extra,
          variants: { create: [{ key: "a", name: "a", weight: 1, strategy: "HYBRID" }, { key: "b", name: "b", weight: 1, strategy: "POPULARITY" }] },
        },
      });

    before(async () => {
      database = await target.create();
      db = database.db;
      await applyMigrations(db);
      await seedDemoData(db, { books: 60, users: 60, seed: 3 });
      cache = createCache({ REDIS_URL: undefined, CACHE_TTL_SECONDS: 60, CACHE_MAX_ENTRIES: 10_000 }, logger);
      users = (await db.prisma.user.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((user) => user.id);
    });
    after(async () => {
      await cache?.close();
      await database?.drop();
    });

    it("never puts a reader in two experiments of one layer, and persists one assignment under concurrent first requests", async () => {
      await running("layer-recs", "USER_RECOMMENDATIONS", { layer: "ranking" });
      await running("layer-similar", "SIMILAR_BOOKS", { layer: "ranking" });
      const variants = new ExperimentVariants(db.prisma, cache, 0);
      const first = users.slice(0, 30);
      // Half the readers meet the reader experiment first, the others the similar-books one.
      await Promise.all(first.map((user) => Promise.all(Array.from({ length: 4 }, () => variants.forReader("USER_RECOMMENDATIONS", user)))));
      for (const user of users.slice(30)) await variants.forReader("SIMILAR_BOOKS", user);
      for (const user of users) {
        await variants.forReader("USER_RECOMMENDATIONS", user);
        await variants.forReader("SIMILAR_BOOKS", user);
      }
      const rows = await db.prisma.experimentAssignment.findMany({ include: { experiment: true } });
      const byUser = new Map<number, string[]>();
      for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.experiment.key]);
      assert.equal(byUser.size, users.length, "every reader is in one of them");
      for (const [user, keys] of byUser) assert.equal(keys.length, 1, `reader ${user} is in ${keys.join(" and ")}`);
      assert.ok(first.every((user) => byUser.get(user)![0] === "layer-recs"));
      assert.ok(users.slice(30).every((user) => byUser.get(user)![0] === "layer-similar"));
      await db.prisma.experiment.updateMany({ data: { status: "COMPLETED" } });
    });

    it("keeps the holdout and readers outside the targeting out, and records pre-period activity", async () => {
      await db.prisma.experiment.deleteMany({});
      await cache.delete("exp:running:USER_RECOMMENDATIONS", "exp:running:SIMILAR_BOOKS");
      const experiment = await running("targeted", "USER_RECOMMENDATIONS", { targeting: { segments: ["nobody-is-in-this-segment"] } });
      const variants = new ExperimentVariants(db.prisma, cache, 0);
      for (const user of users) assert.equal(await variants.forReader("USER_RECOMMENDATIONS", user), null);
      await db.prisma.experiment.update({ where: { id: experiment.id }, data: { status: "COMPLETED" } });

      await running("held", "USER_RECOMMENDATIONS");
      await cache.delete("exp:running:USER_RECOMMENDATIONS");
      const withHoldout = new ExperimentVariants(db.prisma, cache, 50);
      const served = await Promise.all(users.map((user) => withHoldout.forReader("USER_RECOMMENDATIONS", user)));
      const outside = served.filter((variant) => variant === null).length;
      assert.ok(outside > users.length * 0.25 && outside < users.length * 0.75, `${outside} of ${users.length} held out`);
      assert.ok(served.every((variant) => variant === null || variant.experimentKey === "held"));

      const [activity] = await db.prisma.$queryRaw<{ user_id: number; expected: number; stored: number }[]>`
        SELECT a.user_id, a.pre_period_activity AS stored,
               ((SELECT count(*) FROM interactions i WHERE i.user_id = a.user_id AND i.occurred_at >= a.assigned_at - interval '28 days')
              + (SELECT count(*) FROM ratings r WHERE r.user_id = a.user_id AND r.created_at >= a.assigned_at - interval '28 days'))::float8 AS expected
        FROM experiment_assignments a JOIN experiments e ON e.id = a.experiment_id WHERE e.key = 'held'
        ORDER BY expected DESC LIMIT 1`;
      assert.equal(activity!.stored, activity!.expected);
    });
  });
}
