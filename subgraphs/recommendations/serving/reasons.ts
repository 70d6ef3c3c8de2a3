import type { BookFacts } from "./catalogue.ts";
import type { HistoryEntry } from "../../../lib/models/user-history.ts";
import type { ContentState } from "./loaded-model.ts";

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
  content: ContentState | undefined,
): string[] {
  if (history.length === 0) return [];
  let anchor = history.reduce((best, entry) => (entry.strength > best.strength ? entry : best), history[0]!);
  if (content && candidateIndex !== undefined) {
    const d = content.dimensions;
    let bestSimilarity = -Infinity;
    for (const entry of history) {
      if (entry.index === undefined) continue;
      let dot = 0;
      for (let f = 0; f < d; f++) dot += content.embeddings[candidateIndex * d + f]! * content.embeddings[entry.index * d + f]!;
      // Prefer books the reader liked: a weak signal needs a much closer match to be the reason.
      const weighted = dot * (0.5 + entry.strength / 10);
      if (weighted > bestSimilarity) {
        bestSimilarity = weighted;
        anchor = entry;
      }
    }
  }
  const reasons: string[] = [];
  const anchorFacts = facts.get(anchor.bookId);
  if (anchorFacts) {
    reasons.push(anchor.stars !== null && anchor.stars >= 4 ? `Because you rated ${anchorFacts.title} highly` : `Because you read ${anchorFacts.title}`);
  }
  const sameAuthor = history.find((entry) => sharesAuthor(facts.get(entry.bookId), candidate));
  if (sameAuthor) reasons.push(`Same author as ${facts.get(sameAuthor.bookId)!.title}`);
  return reasons;
}
