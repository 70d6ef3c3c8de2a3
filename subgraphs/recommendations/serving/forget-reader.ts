import type { LoadedModel } from "./loaded-model.ts";

/**
 * Drops an erased reader's trained ALS vector from the loaded model: the row is
 * zeroed and the id unmapped, so serving can neither score with it nor find it
 * again. The artifact on disk keeps the row until the next training run, which no
 * longer sees the reader's data; a process that reloads that artifact before then
 * holds it again, but no request can name the reader: their account is gone.
 */
export function forgetTrainedVector(als: LoadedModel, userId: number): boolean {
  const state = als.state.factors;
  const row = als.userIndex.get(userId);
  if (!state || row === undefined) return false;
  state.userFactors.fill(0, row * state.factors, (row + 1) * state.factors);
  (als.userIndex as Map<number, number>).delete(userId);
  return true;
}
