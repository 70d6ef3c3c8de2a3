import type { RunRecord } from "./report.ts";

/** Rounds of one scenario in which ours and the reference took turns, both already warm. */
export interface PairedRounds {
  scenario: string;
  connections: number;
  rounds: { ours: RunRecord; reference: RunRecord }[];
}

/**
 * `rounds` pairs of measurements, the two sides taking turns at going first. One round
 * each, run minutes apart, measured this machine as much as the code: identical quick
 * rounds of ours swung ±15 %, and the reference went from 65 to 152 req/s depending
 * on how warm its caches were when its round came.
 */
export async function alternate(rounds: number, ours: () => Promise<RunRecord>, reference: () => Promise<RunRecord>): Promise<PairedRounds["rounds"]> {
  const pairs: PairedRounds["rounds"] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      const first = await ours();
      pairs.push({ ours: first, reference: await reference() });
    } else {
      const first = await reference();
      pairs.push({ ours: await ours(), reference: first });
    }
  }
  return pairs;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round(((sorted[middle - 1]! + sorted[middle]!) / 2) * 10) / 10;
}
