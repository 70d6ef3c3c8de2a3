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
