import type { BookFacts } from "./catalogue.ts";
import type { HistoryEntry } from "../../../lib/models/user-history.ts";
import type { EmbeddingState } from "./loaded-model.ts";

const sharesAuthor = (a: BookFacts | undefined, b: BookFacts | undefined) =>
  a !== undefined && b !== undefined && a.authorIds.some((author) => b.authorIds.includes(author));

/** Why a book is similar to the seed, in the words a reader would use. */
export function similarReasons(seed: BookFacts | undefined, candidate: BookFacts | undefined, viaReaders: boolean, viaContent: boolean): string[] {
  if (!seed) return [];
  const reasons: string[] = [];
  if (viaReaders) reasons.push(`Readers of ${seed.title} also read this`);
  if (sharesAuthor(seed, candidate)) reasons.push(`Same author as ${seed.title}`);
  else if (viaContent && !viaReaders) reasons.push(`Similar in subject to ${seed.title}`);
  return reasons;
}

/**
 * Why a book is recommended to a reader: the book of their history it is most
 * like (by content embedding when the content model is loaded, else their most
 * recent strongest signal), said as they experienced it ("rated highly", "read").
 */
export function personalReasons(
  candidateIndex: number | undefined,
  candidate: BookFacts | undefined,
  history: readonly (HistoryEntry & { index: number | undefined })[],
  facts: ReadonlyMap<number, BookFacts>,
  content: EmbeddingState | undefined,
): string[] {
  if (history.length === 0) return [];
  const closest = content && candidateIndex !== undefined ? closestByContent(content, candidateIndex, history) : undefined;
  const anchor = closest ?? history.reduce((best, entry) => (entry.strength > best.strength ? entry : best), history[0]!);
  const reasons: string[] = [];
  const anchorFacts = facts.get(anchor.bookId);
  if (anchorFacts) {
    reasons.push(anchor.stars !== null && anchor.stars >= 4 ? `Because you rated ${anchorFacts.title} highly` : `Because you read ${anchorFacts.title}`);
  }
  const sameAuthor = history.find((entry) => sharesAuthor(facts.get(entry.bookId), candidate));
  if (sameAuthor) reasons.push(`Same author as ${facts.get(sameAuthor.bookId)!.title}`);
  return reasons;
}

/**
 * The history entry whose book is closest to the candidate in content, a weak signal
 * needing a much closer match to be the reason. Every book of a reader's list compares
 * itself with up to 50 books of their history (2,500 dot products of 64 floats a
 * list), which made this the largest part of a reader list's own work: the embeddings
 * are read through locals and summed in four lanes (0.34 -> 0.20 ms a list).
 */
function closestByContent<T extends { readonly index: number | undefined; readonly strength: number }>(
  content: EmbeddingState,
  candidateIndex: number,
  history: readonly T[],
): T | undefined {
  const { embeddings, dimensions: d } = content;
  const base = candidateIndex * d;
  let closest: T | undefined;
  let bestSimilarity = -Infinity;
  for (const entry of history) {
    if (entry.index === undefined) continue;
    const offset = entry.index * d;
    let lane0 = 0;
    let lane1 = 0;
    let lane2 = 0;
    let lane3 = 0;
    let f = 0;
    for (; f + 3 < d; f += 4) {
      lane0 += embeddings[base + f]! * embeddings[offset + f]!;
      lane1 += embeddings[base + f + 1]! * embeddings[offset + f + 1]!;
      lane2 += embeddings[base + f + 2]! * embeddings[offset + f + 2]!;
      lane3 += embeddings[base + f + 3]! * embeddings[offset + f + 3]!;
    }
    for (; f < d; f++) lane0 += embeddings[base + f]! * embeddings[offset + f]!;
    const weighted = (lane0 + lane1 + lane2 + lane3) * (0.5 + entry.strength / 10);
    if (weighted > bestSimilarity) {
      bestSimilarity = weighted;
      closest = entry;
    }
  }
  return closest;
}
