import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `read` until `done` accepts its value (what stream consumers compute lands
 * shortly after the mutation that caused it); the last value is returned either way,
 * so the caller's assertions report what was actually seen.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await read();
  }
  return value;
}

/**
 * Polls `probe` until it yields a value (not undefined) and returns it; throws naming
 * `what` when `timeoutMs` passes first.
 */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
