import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createCache } from "../lib/cache.ts";
import { createLogger } from "../lib/logger.ts";
import { freePort } from "./support/ports.ts";

const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");

/** A value whose JSON is about `kib` KiB, as a recommendation list of a few KB is. */
const valueOf = (n: number, kib: number) => ({ n, reasons: ["x".repeat(kib * 1024)] });

describe("the in-process cache layer's memory bound", () => {
  const cache = createCache({ REDIS_URL: undefined, CACHE_TTL_SECONDS: 300, CACHE_MAX_ENTRIES: 50_000, CACHE_MAX_MB: 1 }, logger);
  after(() => cache.close());

  it("holds at most CACHE_MAX_MB of JSON whatever the entry count allows, evicting the least recently used", async () => {
    for (let n = 0; n < 100; n++) await cache.set(`entry:${n}`, valueOf(n, 50));
    const held = await cache.keys("entry:*");
    // 1 MiB of 50 KiB entries: at most 20 fit, far below CACHE_MAX_ENTRIES.
    assert.ok(held.length > 0 && held.length <= 20, `${held.length} entries held`);
    assert.deepEqual(await cache.get("entry:99"), valueOf(99, 50));
    assert.equal(await cache.get("entry:0"), undefined);
  });

  it("does not keep an entry larger than the whole bound", async () => {
    await cache.set("huge", valueOf(0, 2048));
    assert.equal(await cache.get("huge"), undefined);
    assert.deepEqual(await cache.get("entry:99"), valueOf(99, 50));
  });
});

describe("the in-process layer in front of Redis", () => {
  it("holds at most NEAR_CACHE_MAX_MB of JSON, not CACHE_MAX_MB", async () => {
    // A Redis that never answers: what a read returns then can only come from the in-process layer.
    const cache = createCache(
      { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_COMMAND_TIMEOUT_MS: 50, CACHE_TTL_SECONDS: 300, CACHE_MAX_ENTRIES: 50_000, CACHE_MAX_MB: 32, NEAR_CACHE_MAX_MB: 1 },
      logger,
    );
    try {
      for (let n = 0; n < 100; n++) await cache.set(`entry:${n}`, valueOf(n, 50));
      let held = 0;
      for (let n = 0; n < 100; n++) if ((await cache.get(`entry:${n}`)) !== undefined) held += 1;
      assert.ok(held > 0 && held <= 20, `${held} entries held, 32 MiB would hold all 100`);
      assert.deepEqual(await cache.get("entry:99"), valueOf(99, 50));
    } finally {
      await cache.close();
    }
  });
});
