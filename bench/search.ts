/**
 * `npx tsx bench/search.ts`: latency of searchBooks over 10,000 demo books, on
 * in-memory PGlite and, when DATABASE_URL is set, on a scratch PostgreSQL database.
 * A few hundred queries drawn from the catalogue itself (exact titles, the first
 * words of titles, truncated words, misspelt titles, author names, genre names) run
 * through the resolver's own SQL (subgraphs/books/search.ts), then once more each
 * through the gateway with the whole supergraph in process. Prints median, p95 and
 * mean per kind of query. BENCH_BOOKS and BENCH_QUERIES override the sizes.
 */
import { loadConfig } from "../lib/config.ts";
import type { Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { createRuntime } from "../lib/runtime.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { createRandom } from "../ml-models/linalg/random.ts";
import { searchBooks } from "../subgraphs/books/search.ts";
import { startSupergraph } from "../supergraph.ts";
import { databaseTargets } from "../test/support/databases.ts";
import { graphql } from "../test/support/graphql-client.ts";

const BOOKS = Number(process.env.BENCH_BOOKS ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const PAGE_SIZE = 20;

type Kind = "exact title" | "title prefix" | "truncated word" | "misspelt title" | "author" | "genre";
interface BenchQuery {
  kind: Kind;
  text: string;
  /** For queries made from a title: that title (series suffix left out), which should rank first. */
  title?: string;
}


/** One typo a reader makes: a letter dropped, doubled, or two neighbours swapped. */
function misspell(text: string, next: () => number): string {
  const words = text.split(" ");
  const candidates = words.map((word, index) => [word, index] as const).filter(([word]) => word.length >= 5);
  if (candidates.length === 0) return text;
  const [word, index] = candidates[Math.floor(next() * candidates.length)]!;
  const at = 1 + Math.floor(next() * (word.length - 2));
  const typo = [
    () => word.slice(0, at) + word.slice(at + 1),
    () => word.slice(0, at) + word[at] + word.slice(at),
    () => word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2),
  ][Math.floor(next() * 3)]!();
  words[index] = typo;
  return words.join(" ");
}

/** A title as a reader types it: without the series suffix such as "(The Carolboro Series, #6)". */
const plain = (title: string) => title.replace(/\s*\(.*\)\s*$/, "");

async function buildQueries(db: Database): Promise<BenchQuery[]> {
  // Seeded so every run, and every target, measures the same queries.
  const next = createRandom(2026);
  const books = await db.prisma.book.findMany({ select: { id: true, title: true }, orderBy: { id: "asc" } });
  const authors = await db.prisma.author.findMany({ select: { name: true }, orderBy: { id: "asc" } });
  const genres = await db.prisma.genre.findMany({ select: { name: true }, orderBy: { id: "asc" } });
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
  let source: { id: number; title: string } | undefined;
  const plainTitle = () => plain((source = pick(books)).title);
  const makers: Record<Kind, () => string> = {
    "exact title": plainTitle,
    "title prefix": () => plainTitle().split(" ").slice(0, 2).join(" "),
    "truncated word": () => {
      const words = plainTitle().split(" ").filter((word) => word.length >= 6);
      const word = words.length > 0 ? pick(words) : plainTitle();
      return word.slice(0, Math.max(4, word.length - 2));
    },
    "misspelt title": () => misspell(plainTitle(), next),
    author: () => (next() < 0.5 ? pick(authors).name : pick(authors).name.split(" ").at(-1)!),
    genre: () => pick(genres).name,
  };
  const kinds = Object.keys(makers) as Kind[];
  return Array.from({ length: QUERIES }, (_, index) => {
    const kind = kinds[index % kinds.length]!;
    source = undefined;
    const text = makers[kind]().slice(0, 200);
    return kind === "exact title" || kind === "misspelt title" ? { kind, text, title: plain(source!.title) } : { kind, text };
  });
}

interface Sample {
  kind: Kind;
  ms: number;
  hits: number;
  /** 1-based rank of the first hit with the title the query was made from, 0 when not on the first page. */
  rank?: number;
}

function summarise(label: string, samples: Sample[]): void {
  const line = (name: string, values: number[], hitCounts: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const withHits = hitCounts.filter((count) => count > 0).length;
    console.log(
      `  ${name.padEnd(16)} n=${String(values.length).padStart(4)}  median ${at(0.5).toFixed(1).padStart(6)} ms  p95 ${at(0.95).toFixed(1).padStart(6)} ms  mean ${mean.toFixed(1).padStart(6)} ms  with hits ${withHits}/${values.length}`,
    );
  };
  console.log(label);
  line("all", samples.map((sample) => sample.ms), samples.map((sample) => sample.hits));
  for (const kind of new Set(samples.map((sample) => sample.kind))) {
    const ofKind = samples.filter((sample) => sample.kind === kind);
    line(kind, ofKind.map((sample) => sample.ms), ofKind.map((sample) => sample.hits));
    const ranked = ofKind.filter((sample) => sample.rank !== undefined);
    if (ranked.length > 0) {
      const first = ranked.filter((sample) => sample.rank === 1).length;
      const onPage = ranked.filter((sample) => sample.rank! > 0).length;
      console.log(`  ${"".padEnd(16)} a book with that title ranked first ${first}/${ranked.length}, on the first page ${onPage}/${ranked.length}`);
    }
  }
}

for (const target of databaseTargets()) {
  const { db, drop: dispose } = await target.create();
  try {
    await applyMigrations(db);
    const seeded = performance.now();
    const summary = await seedDemoData(db, { books: BOOKS, users: Math.max(200, Math.round(BOOKS / 5)), seed: 42 });
    console.log(`\n${target.name}: seeded ${summary.books} books, ${summary.authors} authors, ${summary.genres} genres in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const queries = await buildQueries(db);
    const titles = new Map((await db.prisma.book.findMany({ select: { id: true, title: true } })).map((book) => [book.id, plain(book.title).toLowerCase()]));

    for (const query of queries.slice(0, 20)) await searchBooks(db.prisma, query.text, PAGE_SIZE, null); // warm caches and plans
    const sqlSamples: Sample[] = [];
    for (const query of queries) {
      const started = performance.now();
      const page = await searchBooks(db.prisma, query.text, PAGE_SIZE, null);
      const ms = performance.now() - started;
      const rank = query.title === undefined ? undefined : page.rows.slice(0, PAGE_SIZE).findIndex((row) => titles.get(row.id) === query.title!.toLowerCase()) + 1;
      sqlSamples.push({ kind: query.kind, ms, hits: page.totalCount, ...(rank === undefined ? {} : { rank }) });
    }
    summarise(`searchBooks SQL (first ${PAGE_SIZE} hits, highlights included), ${queries.length} queries:`, sqlSamples);

    const config = loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" });
    const runtime = await createRuntime(config, "bench", { db });
    const supergraph = await startSupergraph(runtime, { gateway: 0, users: 0, books: 0, recommendations: 0, experiments: 0 });
    try {
      const request = `query($q: String!) { searchBooks(query: $q, first: ${PAGE_SIZE}) { totalCount edges { node { score book { id title authors { name } } highlights { title snippet } } } } }`;
      for (const query of queries.slice(0, 20)) await graphql(supergraph.gateway.url, request, { variables: { q: query.text } });
      const gatewaySamples: Sample[] = [];
      for (const query of queries) {
        const started = performance.now();
        const result = await graphql(supergraph.gateway.url, request, { variables: { q: query.text } });
        if (result.errors) throw new Error(`${query.text}: ${JSON.stringify(result.errors)}`);
        gatewaySamples.push({ kind: query.kind, ms: performance.now() - started, hits: result.data!.searchBooks.totalCount as number });
      }
      summarise(`searchBooks through the gateway (HTTP, authors resolved by DataLoader), ${queries.length} queries:`, gatewaySamples);
    } finally {
      await supergraph.stop();
      await runtime.close().catch(() => {});
    }
  } finally {
    await dispose().catch(() => {});
  }
}
