import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCache, type Cache } from "../lib/cache.ts";
import { createLogger } from "../lib/logger.ts";
import { createPubSub } from "../lib/pubsub.ts";
import { freePort } from "./support/ports.ts";
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from "./support/private-redis.ts";

const logger = createLogger({ NODE_ENV: "test", LOG_LEVEL: "silent" }, "test");
const options = (url: string) => ({ REDIS_URL: url, CACHE_TTL_SECONDS: 60, CACHE_MAX_ENTRIES: 1000, CACHE_KEY_PREFIX: `test:${process.pid}:`, REDIS_COMMAND_TIMEOUT_MS: 50 });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const until = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("cache when Redis is unreachable from the start", () => {
  it("reads miss at once, writes do not wait, and the in-process layer serves", async () => {
    const cache = createCache(options(`redis://127.0.0.1:${await freePort()}`), logger);
    try {
      const miss = await timed(() => cache.get("absent"));
      assert.equal(miss.value, undefined);
      assert.ok(miss.ms < 100, `a read against a missing Redis took ${miss.ms} ms`);
      const write = await timed(() => cache.set("book:1", { title: "Dune" }));
      assert.ok(write.ms < 100, `a write took ${write.ms} ms`);
      assert.deepEqual(await cache.get("book:1"), { title: "Dune" });
      let loads = 0;
      const load = async () => ++loads;
      assert.equal(await cache.getOrSet("count", load), 1);
      assert.equal(await cache.getOrSet("count", load), 1, "served from the in-process layer");
      const deleted = await timed(() => cache.delete("book:1"));
      assert.ok(deleted.ms < 100);
      assert.equal(await cache.get("book:1"), undefined);
    } finally {
      await cache.close();
    }
  });
});

describe("cache and pub/sub on a Redis that hangs and dies", () => {
  let redis: PrivateRedis | undefined;
  let available = false;
  before(async () => {
    available = await redisServerAvailable();
    if (available) redis = await startPrivateRedis();
  });
  after(async () => {
    redis?.thaw();
    await redis?.close();
  });

  it("a frozen Redis costs a request at most the command timeout, the circuit then skips it, and it closes on return", async (t) => {
    if (!available) return t.skip("redis-server is not installed");
    const first: Cache = createCache(options(redis!.url), logger);
    const second: Cache = createCache(options(redis!.url), logger);
    try {
      // Until its connection is up a new cache misses rather than waits; give both a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.set("shared", 42);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await second.get("shared"), 42, "entries are shared through Redis");

      redis!.freeze();
      const reads = [];
      for (let i = 0; i < 6; i++) reads.push(await timed(() => second.get(`missing:${i}`)));
      assert.ok(reads.every((read) => read.value === undefined));
      assert.ok(reads.every((read) => read.ms < 200), `read times while frozen: ${reads.map((r) => Math.round(r.ms)).join(", ")}`);
      assert.equal(second.stats().redis, "open", "the circuit opened");
      assert.ok(reads.slice(3).every((read) => read.ms < 5), "reads skip Redis once the circuit is open");

      // Invalidations made during the outage are replayed once Redis answers again.
      await second.delete("shared");
      assert.equal(second.stats().pendingDeletes, 1, "the invalidation is remembered");
      redis!.thaw();
      await until(() => second.stats().redis === "half-open", 3000);
      await second.get("probe");
      await until(() => second.stats().redis === "closed" && second.stats().pendingDeletes === 0, 3000);
      const third = createCache(options(redis!.url), logger);
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(await third.get("shared"), undefined, "the invalidation made during the outage reached Redis");
      } finally {
        await third.close();
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("a publish while Redis is down fails within tens of ms instead of queueing", async (t) => {
    if (!available) return t.skip("redis-server is not installed");
    const bus = createPubSub({ REDIS_URL: redis!.url, REDIS_COMMAND_TIMEOUT_MS: 50 }, logger);
    try {
      await bus.publish("TEST", { n: 1 });
      await redis!.stop();
      const failed = await timed(() => bus.publish("TEST", { n: 2 }).then(() => "published", () => "failed"));
      assert.equal(failed.value, "failed");
      assert.ok(failed.ms < 200, `publish took ${failed.ms} ms`);
      await redis!.start();
      const deadline = Date.now() + 5000;
      let outcome = "failed";
      while (outcome === "failed" && Date.now() < deadline) {
        outcome = await bus.publish("TEST", { n: 3 }).then(() => "published", () => "failed");
        if (outcome === "failed") await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(outcome, "published", "publishing resumes by itself once Redis is back");
    } finally {
      await bus.close();
    }
  });
});
