import { zipfWeights } from "./alias-table.ts";
import type { IsbnAllocator } from "./isbn-allocator.ts";
import { fillTemplate, type TextContext } from "./text-context.ts";
import { ADJECTIVES, EVOCATIVE_WORDS, IMPRINT_NOUNS } from "./vocabulary.ts";

export interface GeneratedPublishers {
  readonly names: string[];
  /** ISBN registrant prefix of each publisher. */
  readonly isbnPrefixes: string[];
  /** Zipf-like share of the catalogue: a few big houses, a long tail of small presses. */
  readonly weights: Float64Array;
}

const PATTERNS = [
  "{last} & {last2}",
  "{last} Books",
  "{adjective} {noun} Press",
  "{city} University Press",
  "{last} House",
  "{evocative} Publishing",
  "{last}, {last2} & Co.",
  "{evocative} Books",
  "{noun} Editions",
  "{city} Press",
];

/** ~1 publisher per 50 books, capped at 200 (the size of a real mid-sized catalogue's publisher list). */
export function publisherCountFor(books: number): number {
  return Math.max(1, Math.min(200, Math.round(books / 50)));
}

export function generatePublishers(context: TextContext, count: number, isbns: IsbnAllocator): GeneratedPublishers {
  const { faker, random } = context;
  const names: string[] = [];
  const seen = new Set<string>();
  while (names.length < count) {
    const name = fillTemplate(random.pick(PATTERNS), {
      last: faker.person.lastName(),
      last2: faker.person.lastName(),
      adjective: random.pick(ADJECTIVES),
      noun: random.pick(IMPRINT_NOUNS),
      city: faker.location.city(),
      evocative: random.pick(EVOCATIVE_WORDS),
    });
    if (seen.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  return {
    names,
    isbnPrefixes: names.map((_, rank) => isbns.registrantPrefix(rank)),
    weights: zipfWeights(count, 1.05, 2),
  };
}
