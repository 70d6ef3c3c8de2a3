import type { EmbeddingState } from "./loaded-model.ts";

/**
 * Maximal marginal relevance: picks, one at a time, the candidate with the best
 * lambda * relevance - (1 - lambda) * (highest similarity to anything already
 * picked), so a list is not ten books of one series. Similarity is the content
 * embeddings' cosine (rows are unit length).
 */
export function maximalMarginalRelevance<T extends { score: number }>(
  candidates: readonly T[],
  indexOf: (candidate: T) => number | undefined,
  content: EmbeddingState,
  limit: number,
  lambda = 0.5,
): T[] {
  const d = content.dimensions;
  const remaining = [...candidates];
  const picked: T[] = [];
  const pickedIndices: number[] = [];
  const similarity = (a: number, b: number) => {
    let dot = 0;
    for (let f = 0; f < d; f++) dot += content.embeddings[a * d + f]! * content.embeddings[b * d + f]!;
    return dot;
  };
  while (picked.length < limit && remaining.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    remaining.forEach((candidate, position) => {
      const index = indexOf(candidate);
      let redundancy = 0;
      if (index !== undefined) for (const other of pickedIndices) redundancy = Math.max(redundancy, similarity(index, other));
      const value = lambda * candidate.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = position;
      }
    });
    const [chosen] = remaining.splice(best, 1);
    picked.push(chosen!);
    const index = indexOf(chosen!);
    if (index !== undefined) pickedIndices.push(index);
  }
  return picked;
}
