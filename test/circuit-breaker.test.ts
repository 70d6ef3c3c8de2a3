import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CircuitBreaker, CircuitOpenError, type CircuitState } from "../lib/circuit-breaker.ts";

function breakerWithClock() {
  let now = 0;
  const changes: CircuitState[] = [];
  const breaker = new CircuitBreaker("redis:test", { failureThreshold: 3, openMs: 1000, now: () => now, onStateChange: (state) => changes.push(state) });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new Error("ECONNREFUSED"));

describe("circuit breaker", () => {
  it("opens after consecutive failures, refuses at once while open, and one probe closes it", async () => {
    const { breaker, changes, advance } = breakerWithClock();
    for (let i = 0; i < 2; i++) await assert.rejects(breaker.run(fail), /ECONNREFUSED/);
    assert.equal(breaker.state, "closed", "two failures are not an outage");
    await assert.rejects(breaker.run(fail), /ECONNREFUSED/);
    assert.equal(breaker.state, "open");

    let called = false;
    await assert.rejects(breaker.run(async () => (called = true)), CircuitOpenError);
    assert.equal(called, false, "an open circuit never calls the dependency");
    assert.equal(breaker.rejected, 1);

    advance(1000);
    assert.equal(breaker.state, "half-open");
    assert.equal(breaker.allows(), true, "one probe goes through");
    assert.equal(breaker.allows(), false, "a second concurrent call waits for the probe's verdict");
    breaker.succeeded();
    assert.equal(breaker.state, "closed");
    assert.deepEqual(changes, ["open", "half-open", "closed"]);
  });

  it("a failed probe reopens the circuit for another full period", async () => {
    const { breaker, advance } = breakerWithClock();
    for (let i = 0; i < 3; i++) await assert.rejects(breaker.run(fail));
    advance(1000);
    await assert.rejects(breaker.run(fail), /ECONNREFUSED/);
    assert.equal(breaker.state, "open");
    advance(999);
    assert.equal(breaker.state, "open");
    advance(1);
    assert.equal(breaker.state, "half-open");
  });

  it("a success between failures resets the count", async () => {
    const { breaker } = breakerWithClock();
    await assert.rejects(breaker.run(fail));
    await assert.rejects(breaker.run(fail));
    await breaker.run(async () => "ok");
    await assert.rejects(breaker.run(fail));
    await assert.rejects(breaker.run(fail));
    assert.equal(breaker.state, "closed");
  });
});
