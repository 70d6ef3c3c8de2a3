import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nestedSecretRedactor, REDACTED } from "../lib/log-redaction.ts";

const redact = nestedSecretRedactor(["password", "token"], 3);

describe("nested secret redaction of log lines", () => {
  it("redacts secrets up to three objects deep, in arrays too, without touching the caller's object", () => {
    const line = { operationName: "Rate", variables: { input: { password: "p", deep: { token: "t", deeper: { token: "left" } } } }, list: [{ token: "a" }] };
    const before = structuredClone(line);
    const written = redact(line);
    assert.deepEqual(written, {
      operationName: "Rate",
      variables: { input: { password: REDACTED, deep: { token: REDACTED, deeper: { token: "left" } } } },
      list: [{ token: REDACTED }],
    });
    assert.deepEqual(line, before);
  });

  it("hands back a line without secrets as it was, copying nothing", () => {
    const line = { operationName: "Flagship", ms: 12.5, errors: 0, nested: { a: { b: 1 } } };
    assert.equal(redact(line), line);
  });

  it("keeps an Error an Error when a secret is redacted from it", () => {
    const error = Object.assign(new Error("boom"), { token: "t" });
    const written = redact({ nested: { error } }) as { nested: { error: Error & { token: string } } };
    assert.ok(written.nested.error instanceof Error);
    assert.equal(written.nested.error.message, "boom");
    assert.equal(written.nested.error.token, REDACTED);
    assert.equal(error.token, "t");
  });
});
