import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inHoldout, inTraffic, variantIndex } from "../lib/experiments/assignment-rules.ts";
import { bucketOf, fnv1a32, HASH_BUCKETS } from "../lib/experiments/hashing.ts";
import { sampleRatioMismatch } from "../lib/experiments/statistics/sample-ratio.ts";
import { matchesTargeting } from "../lib/experiments/targeting.ts";

const READERS = Array.from({ length: 20_000 }, (_, i) => i + 1);

describe("experiment assignment rules", () => {
  it("hashes with FNV-1a into 10,000 buckets", () => {
    // Published FNV-1a 32-bit test vectors.
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("foobar"), 0xbf9cf968);
    assert.ok(READERS.every((reader) => bucketOf("seed", reader) >= 0 && bucketOf("seed", reader) < HASH_BUCKETS));
  });

  it("splits consecutive reader ids evenly by weight, independently per experiment", () => {
    const counts = [0, 0, 0];
    for (const reader of READERS) counts[variantIndex("exp-a", reader, [1, 1, 2])]! += 1;
    assert.equal(sampleRatioMismatch(counts, [1, 1, 2]).flagged, false, `split ${counts}`);
    // Another experiment's split is unrelated to this one's: about half of arm 0 of A lands in arm 0 of B.
    const armA = READERS.filter((reader) => variantIndex("exp-a", reader, [1, 1]) === 0);
    const alsoB = armA.filter((reader) => variantIndex("exp-b", reader, [1, 1]) === 0).length;
    assert.ok(Math.abs(alsoB / armA.length - 0.5) < 0.03, `${alsoB} of ${armA.length}`);
  });

  it("only admits more readers as traffic grows, and never changes their variant", () => {
    const at20 = READERS.filter((reader) => inTraffic("exp", reader, 20));
    const at50 = new Set(READERS.filter((reader) => inTraffic("exp", reader, 50)));
    assert.ok(Math.abs(at20.length / READERS.length - 0.2) < 0.02);
    assert.ok(Math.abs(at50.size / READERS.length - 0.5) < 0.02);
    assert.ok(at20.every((reader) => at50.has(reader)), "everyone in at 20% is still in at 50%");
    assert.equal(READERS.filter((reader) => inTraffic("exp", reader, 0)).length, 0);
    assert.equal(READERS.filter((reader) => inTraffic("exp", reader, 100)).length, READERS.length);
  });

  it("keeps the same holdout out of every experiment", () => {
    const held = READERS.filter((reader) => inHoldout(reader, 5));
    assert.ok(Math.abs(held.length / READERS.length - 0.05) < 0.01);
    assert.equal(READERS.filter((reader) => inHoldout(reader, 0)).length, 0);
  });

  it("targets segments, countries and new or returning readers", () => {
    const now = new Date("2026-12-04T12:00:00Z");
    const newcomer = { segment: "casual", country: "fr", registeredAt: new Date("2026-11-30T00:00:00Z") };
    const regular = { segment: "avid", country: "GB", registeredAt: new Date("2025-01-01T00:00:00Z") };
    assert.equal(matchesTargeting({}, newcomer, now), true);
    assert.equal(matchesTargeting({ readers: "NEW" }, newcomer, now), true);
    assert.equal(matchesTargeting({ readers: "NEW" }, regular, now), false);
    assert.equal(matchesTargeting({ readers: "RETURNING" }, regular, now), true);
    assert.equal(matchesTargeting({ countries: ["FR"] }, newcomer, now), true);
    assert.equal(matchesTargeting({ countries: ["FR"] }, regular, now), false);
    assert.equal(matchesTargeting({ segments: ["avid"], countries: ["GB"] }, regular, now), true);
    assert.equal(matchesTargeting({ segments: ["avid"] }, { ...regular, segment: null }, now), false);
  });
});
