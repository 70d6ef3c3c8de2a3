import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../lib/logger.ts";
import { FallbackLog } from "../subgraphs/recommendations/serving/fallback-log.ts";

describe("fallback log", () => {
  it("says why once a minute per reason, with how often it happened since", (t) => {
    const logger = createLogger({ NODE_ENV: "test", LOG_LEVEL: "info" }, "test");
    const lines: Record<string, unknown>[] = [];
    t.mock.method(logger, "warn", (fields: Record<string, unknown>) => lines.push(fields));
    let now = 0;
    const log = new FallbackLog(logger, () => now);
    for (let i = 0; i < 100; i++) log.note("scores:model-missing", () => ({ model: "als", why: "production version 3 cannot be loaded: checksum mismatch" }));
    log.note("model-error", () => ({ model: "item-cf" }));
    assert.equal(lines.length, 2, "one line per reason");
    assert.equal(lines[0]!.why, "production version 3 cannot be loaded: checksum mismatch");
    now = 60_000;
    log.note("scores:model-missing", () => ({ model: "als" }));
    assert.equal(lines.length, 3);
    assert.equal(lines[2]!.sinceLastLine, 99);
  });
});
