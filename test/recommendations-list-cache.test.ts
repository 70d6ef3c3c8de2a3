import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createCache } from "../lib/cache.ts";
import { createLogger } from "../lib/logger.ts";
import { until } from "./support/eventually.ts";
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
    const prefix = `test:list-cache:${process.pid}:${Date.now()}:`;
    const cache = createCache({ REDIS_URL: target.redisUrl, CACHE_TTL_SECONDS: 300, CACHE_MAX_ENTRIES: 1000, CACHE_KEY_PREFIX: prefix }, logger);
    // Commands sent before the client has connected are misses by design: the tests start once a write lands.
    before(async () => {
      if (!target.redisUrl) return;
      const redis = new Redis(target.redisUrl);
      try {
        await until(async () => {
          await cache.set("connected", true, 60);
          return (await redis.exists(`${prefix}connected`)) === 1 ? true : undefined;
        }, 5_000, "the cache's Redis client to connect");
      } finally {
        redis.disconnect();
      }
    });
    after(async () => {
      // Stale copies live a day: what this run wrote in Redis goes with it.
      if (target.redisUrl) await cache.deleteMatching("*");
      await cache.close();
    });
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

    if (target.redisUrl) {
      it("writes both copies of a list to Redis with their own lifetimes, where other replicas read them", async () => {
        const keys = await lists.keysOf({ kind: "similar", bookId: 77, strategy: "HYBRID", diversify: false }, "default");
        await lists.store(keys, listOf(70));
        const replica = createCache({ REDIS_URL: target.redisUrl, CACHE_TTL_SECONDS: 300, CACHE_MAX_ENTRIES: 1000, CACHE_KEY_PREFIX: prefix }, logger);
        const redis = new Redis(target.redisUrl!);
        try {
          // The write is not awaited by the request: it lands shortly after.
          await until(async () => ((await redis.exists(prefix + keys.stale)) === 1 ? true : undefined), 2_000, "the stale copy in Redis");
          const elsewhere = new ListCache(replica, () => version, new ServingMetrics());
          assert.equal((await elsewhere.fresh(keys))?.items[0]?.bookId, 70);
          assert.equal((await elsewhere.stale(keys))?.items[0]?.bookId, 70);
          const freshTtl = await redis.ttl(prefix + keys.fresh);
          const staleTtl = await redis.ttl(prefix + keys.stale);
          assert.ok(freshTtl > 0 && freshTtl <= 300, `fresh copy lives CACHE_TTL_SECONDS, got ${freshTtl}`);
          assert.ok(staleTtl > 300, `the stale copy outlives the fresh one, got ${staleTtl}`);
        } finally {
          await replica.close();
          redis.disconnect();
        }
      });
    }
  });
}
