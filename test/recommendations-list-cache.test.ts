import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createCache } from "../lib/cache.ts";
import { createLogger } from "../lib/logger.ts";
import { ListCache, type ListRef } from "../subgraphs/recommendations/serving/list-cache.ts";
import type { ServedList } from "../subgraphs/recommendations/serving/served-list.ts";
import { ServingMetrics } from "../subgraphs/recommendations/serving/serving-metrics.ts";

const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");

function listOf(bookId: number): ServedList {
  return { items: [{ bookId, score: 0.9, reasons: [] }], source: "MODEL", algorithm: "als", modelName: "als", modelVersion: 1 };
}

const targets: { name: string; redisUrl?: string }[] = [{ name: "in-process" }];
if (process.env.REDIS_URL) targets.push({ name: "redis", redisUrl: process.env.REDIS_URL });

for (const target of targets) {
  describe(`the recommendation list cache (${target.name})`, () => {
    const cache = createCache(
      { REDIS_URL: target.redisUrl, CACHE_TTL_SECONDS: 300, CACHE_MAX_ENTRIES: 1000, CACHE_KEY_PREFIX: `test:list-cache:${process.pid}:${Date.now()}:` },
      logger,
    );
    after(() => cache.close());
    let version = "als1";
    const metrics = new ServingMetrics();
    const lists = new ListCache(cache, () => version, metrics);
    const reader = (userId: number, strategy: "CF" | "HYBRID" = "HYBRID", excludeRead = true): ListRef => ({ kind: "reader", userId, strategy, excludeRead, diversify: false });

    it("retires every cached list of one reader with one generation bump, and only theirs", async () => {
      const refs = [reader(1), reader(1, "CF"), reader(1, "HYBRID", false)];
      for (const ref of refs) await lists.store(await lists.keysOf(ref, "default"), listOf(10));
      await lists.store(await lists.keysOf(reader(2), "default"), listOf(20));
      const similar: ListRef = { kind: "similar", bookId: 5, strategy: "HYBRID", diversify: false };
      await lists.store(await lists.keysOf(similar, "default"), listOf(30));
      for (const ref of refs) assert.equal((await lists.fresh(await lists.keysOf(ref, "default")))?.items[0]?.bookId, 10);

      await lists.invalidateReader(1);

      for (const ref of refs) {
        const keys = await lists.keysOf(ref, "default");
        assert.equal(await lists.fresh(keys), undefined, "a list computed before the reader acted is not served");
        assert.equal(await lists.stale(keys), undefined, "nor kept as the stale fallback");
      }
      assert.equal((await lists.fresh(await lists.keysOf(reader(2), "default")))?.items[0]?.bookId, 20, "another reader keeps their lists");
      assert.equal((await lists.fresh(await lists.keysOf(similar, "default")))?.items[0]?.bookId, 30, "similar lists are nobody's");
      assert.equal(metrics.invalidations, 1);
    });

    it("keeps lists apart by experiment variant and retires fresh ones on a model switch, keeping the last answer as stale", async () => {
      const keys = await lists.keysOf(reader(3), "exp=a");
      await lists.store(keys, listOf(40));
      assert.equal(await lists.fresh(await lists.keysOf(reader(3), "exp=b")), undefined);
      version = "als2";
      const switched = await lists.keysOf(reader(3), "exp=a");
      assert.equal(await lists.fresh(switched), undefined);
      assert.equal((await lists.stale(switched))?.items[0]?.bookId, 40);
    });
  });
}
