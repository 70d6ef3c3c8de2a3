import { parseArgs } from "node:util";
import type { Config } from "../../lib/config.ts";
import type { SeedSummary } from "./seed-demo-data.ts";

/** The `npm run db:seed` command line: options, validation and the summary line. */
export const USAGE = `Usage: npm run db:seed -- [options]

  --books N        books to generate (default SEED_BOOKS, 10000)
  --users M        readers to generate (default SEED_USERS, 5000)
  --seed S         random seed, 0..4294967295 (default SEED_RANDOM_SEED, 42)
  --as-of DATE     "now" of the generated history, e.g. 2025-06-01 (default: today, UTC)
  --force          empty the domain tables first if the database already has data
  --help           show this help`;

export interface SeedCommand {
  books: number;
  users: number;
  seed: number;
  force: boolean;
  referenceTime: number | undefined;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** Command line and configuration defaults to a validated command, or a UsageError saying what is wrong. */
export function parseSeedCommand(argv: readonly string[], config: Pick<Config, "SEED_BOOKS" | "SEED_USERS" | "SEED_RANDOM_SEED">): SeedCommand | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        books: { type: "string" },
        users: { type: "string" },
        seed: { type: "string" },
        "as-of": { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return "help";
  return {
    books: integerOption("--books", values.books, config.SEED_BOOKS, 1, 10_000_000),
    users: integerOption("--users", values.users, config.SEED_USERS, 1, 10_000_000),
    seed: integerOption("--seed", values.seed, config.SEED_RANDOM_SEED, 0, 0xffffffff),
    force: values.force === true,
    referenceTime: values["as-of"] === undefined ? undefined : dateOption("--as-of", values["as-of"]),
  };
}

function integerOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = raw === undefined ? fallback : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const source = raw === undefined ? `its configured default ${fallback}` : JSON.stringify(raw);
    throw new UsageError(`${name} must be an integer between ${min} and ${max}; got ${source}`);
  }
  return value;
}

function dateOption(name: string, raw: string): number {
  const time = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(raw) ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : Number.NaN;
  if (!Number.isFinite(time)) throw new UsageError(`${name} must be a date like 2025-06-01; got ${JSON.stringify(raw)}`);
  return time;
}

export function describeSummary(summary: SeedSummary, target: string): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const seconds = summary.ms / 1000;
  const rows = summary.books + summary.authors + summary.users + summary.ratings + summary.interactions + summary.bookmarks + summary.readingHistory;
  return (
    `Seeded ${target}: ${n(summary.books)} books, ${n(summary.authors)} authors, ${n(summary.publishers)} publishers, ` +
    `${n(summary.genres)} genres, ${n(summary.users)} users, ${n(summary.ratings)} ratings, ${n(summary.interactions)} interactions, ` +
    `${n(summary.bookmarks)} bookmarks, ${n(summary.readingHistory)} reading-history entries in ${seconds.toFixed(1)} s ` +
    `(${n(Math.round(rows / Math.max(seconds, 0.001)))} rows/s)`
  );
}
