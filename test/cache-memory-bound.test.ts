import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createCache } from "../lib/cache.ts";
import { createLogger } from "../lib/logger.ts";

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
