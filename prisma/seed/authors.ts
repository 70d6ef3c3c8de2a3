import { AliasTable, zipfWeights } from "./alias-table.ts";
import type { Random } from "./random.ts";
import type { TextContext } from "./text-context.ts";

/** About one author per four books, as in real catalogues. */
export function authorCountFor(books: number): number {
  return Math.max(1, Math.round(books / 4));
}

/** Unique author names; a clash gets a middle initial, as real bylines do. */
export function generateAuthorNames(context: TextContext, count: number): { names: string[]; lastNames: string[] } {
  const { faker, random } = context;
  const names: string[] = [];
  const lastNames: string[] = [];
  const seen = new Set<string>();
  while (names.length < count) {
    const sex = random.chance(0.5) ? "female" : "male";
    const first = faker.person.firstName(sex);
    const last = faker.person.lastName();
    let name = `${first} ${last}`;
    if (seen.has(name)) name = `${first} ${String.fromCharCode(65 + random.int(26))}. ${last}`;
    if (seen.has(name)) continue;
    seen.add(name);
    names.push(name);
    lastNames.push(last);
  }
  return { names, lastNames };
}

/**
 * How many books each author wrote: everyone has at least one, the rest follow a
 * Zipf-like law, so a few prolific authors own long shelves and most have one or two.
 */
export function allocateBooksToAuthors(random: Random, books: number, authors: number): Int32Array {
  const counts = new Int32Array(authors).fill(1);
  if (books <= authors) {
    counts.fill(0);
    for (let i = 0; i < books; i++) counts[i] = 1;
    return counts;
  }
  // Which author gets which rank is random, so prolific authors are spread over ids.
  const ranks = random.shuffleInPlace(Int32Array.from({ length: authors }, (_, i) => i));
  const zipf = zipfWeights(authors, 0.9, 20);
  const weights = new Float64Array(authors);
  for (let author = 0; author < authors; author++) weights[author] = zipf[ranks[author]!]!;
  const table = new AliasTable(weights);
  for (let extra = books - authors; extra > 0; extra--) {
    const author = table.sample(random);
    counts[author] = counts[author]! + 1;
  }
  return counts;
}
