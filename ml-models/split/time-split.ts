import { selectInteractions, type Interactions } from "../data/dataset.ts";

export interface SplitOptions {
  /** Share of each user's interactions, newest first, held out. */
  readonly testFraction: number;
  /** Users with fewer interactions keep them all in training. */
  readonly minInteractions: number;
}

export const DEFAULT_SPLIT: SplitOptions = { testFraction: 0.2, minInteractions: 5 };

export interface TrainTest {
  readonly train: Interactions;
  readonly test: Interactions;
}

/**
 * Per-user time split: the newest `testFraction` of each eligible user's interactions
 * (at least one) go to test. Ties in time keep source order, so a file without
 * timestamps (row position as time) splits by file order.
 */
export function splitByTime(interactions: Interactions, userCount: number, options: SplitOptions = DEFAULT_SPLIT): TrainTest {
  const n = interactions.users.length;
  const counts = new Int32Array(userCount + 1);
  for (let r = 0; r < n; r++) counts[interactions.users[r]! + 1]!++;
  for (let u = 0; u < userCount; u++) counts[u + 1]! += counts[u]!;
  const start = counts.slice(0, userCount);
  const rowsByUser = new Int32Array(n);
  const cursor = start.slice();
  for (let r = 0; r < n; r++) rowsByUser[cursor[interactions.users[r]!]!++] = r;

  const isTest = new Uint8Array(n);
  const times = interactions.times;
  for (let u = 0; u < userCount; u++) {
    const from = start[u]!;
    const to = counts[u + 1]!;
    const size = to - from;
    if (size < options.minInteractions) continue;
    const rows = Array.from(rowsByUser.subarray(from, to));
    rows.sort((a, b) => times[a]! - times[b]! || a - b);
    const held = Math.max(1, Math.round(size * options.testFraction));
    for (let j = size - held; j < size; j++) isTest[rows[j]!] = 1;
  }
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let r = 0; r < n; r++) (isTest[r] ? testRows : trainRows).push(r);
  return { train: selectInteractions(interactions, trainRows), test: selectInteractions(interactions, testRows) };
}
