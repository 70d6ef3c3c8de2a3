import { withAdvisoryLock } from "../../lib/db/advisory-lock.ts";
import type { Database, SqlConnection } from "../../lib/db/database.ts";
import { withTransaction } from "../../lib/db/transaction.ts";
import type { Logger } from "../../lib/logger.ts";
import { quoteIdentifier } from "./bulk-insert.ts";
import type { WritableDemoDataset } from "./dataset.ts";
import { VACUUMED_AFTER_COMMIT, writeDemoData } from "./writer.ts";

export interface SeedOptions {
  readonly books: number;
  readonly users: number;
  readonly seed: number;
  /** Empty the domain tables first instead of refusing when data exists. */
  readonly force?: boolean;
  /** "Now" for the generated history; defaults to the start of the current UTC day. */
  readonly referenceTime?: Date | number;
  readonly logger?: Logger;
  /** The same options' dataset, already being generated elsewhere (a worker thread); generated here if that fails. */
  readonly pregenerated?: Promise<WritableDemoDataset>;
}

export interface SeedSummary {
  books: number;
  authors: number;
  genres: number;
  publishers: number;
  users: number;
  ratings: number;
  interactions: number;
  bookmarks: number;
  readingHistory: number;
  ms: number;
}

/** Thrown when the database already has data and `force` was not given. */
export class SeedRefusedError extends Error {
  constructor(readonly existingBooks: number, readonly existingUsers: number) {
    super(
      `Refusing to seed: the database already holds ${existingBooks} books and ${existingUsers} users. ` +
        "Re-run with --force to empty the domain tables (TRUNCATE ... RESTART IDENTITY CASCADE) and seed again.",
    );
    this.name = "SeedRefusedError";
  }
}

/** Thrown when the tables do not exist: seeding needs the migrations applied first. */
export class MissingSchemaError extends Error {
  constructor(options?: ErrorOptions) {
    super("The database has no Shelfgraph schema yet: apply the migrations first (npm run db:migrate).", options);
    this.name = "MissingSchemaError";
  }
}

/** Distinct from the migration lock: seeding waits for migrations, not the other way round. */
export const SEED_LOCK_KEY = 72707370;
const MIGRATIONS_TABLE = "_prisma_migrations";

// PGlite's single session makes the advisory lock re-entrant (and would interleave two
// transactions), so seeds on one handle queue here before they reach the database.
const seedsInProgress = new WeakMap<Database, Promise<unknown>>();

/** True when there are neither books nor users: a fresh install that should get the demo data. */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  return db.withConnection(async (connection) => {
    const existing = await countExisting(connection);
    return existing.books === 0 && existing.users === 0;
  });
}

/** Before the migrations: a database without the schema yet, or with neither books nor users, is about to be seeded. */
export async function isFreshDatabase(db: Database): Promise<boolean> {
  try {
    return await isDatabaseEmpty(db);
  } catch (error) {
    if (error instanceof MissingSchemaError) return true;
    throw error;
  }
}

/**
 * Generates the demo dataset and writes it in one transaction. Two processes
 * seeding the same database at once are serialised by an advisory lock; the second
 * then finds data and refuses (unless forced).
 */
export async function seedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const { logger } = options;
  // Refuse before spending seconds on generation; checked again under the lock.
  if (!options.force) await db.withConnection((connection) => refuseIfNotEmpty(connection));

  const dataset: WritableDemoDataset = options.pregenerated
    ? await options.pregenerated.catch((error: unknown) => {
        logger?.warn({ err: error }, "demo data could not be generated on a worker thread; generating it here");
        return generatedHere(options);
      })
    : await generatedHere(options);
  logger?.info(
    { books: dataset.books.count, users: dataset.users.count, ratings: dataset.ratings.count, ms: Math.round(performance.now() - started), onWorkerThread: Boolean(options.pregenerated) },
    "generated demo data",
  );

  const previous = seedsInProgress.get(db) ?? Promise.resolve();
  const write = previous.catch(() => {}).then(() => db.withConnection((connection) => writeUnderLock(connection, dataset, options)));
  seedsInProgress.set(db, write);
  try {
    await write;
  } finally {
    if (seedsInProgress.get(db) === write) seedsInProgress.delete(db);
  }

  return {
    books: dataset.books.count,
    authors: dataset.authors.length,
    genres: dataset.genres.length,
    publishers: dataset.publishers.length,
    users: dataset.users.count,
    ratings: dataset.ratings.count,
    interactions: dataset.interactions.count,
    bookmarks: dataset.bookmarks.userId.length,
    readingHistory: dataset.readingHistory.userId.length,
    ms: Math.round(performance.now() - started),
  };
}

/** One seeder per database at a time; the data is written in a single transaction, then vacuumed. */
async function writeUnderLock(connection: SqlConnection, dataset: WritableDemoDataset, options: SeedOptions): Promise<void> {
  const { logger } = options;
  await withAdvisoryLock(
    connection,
    SEED_LOCK_KEY,
    async () => {
      await withTransaction(connection, async () => {
        if (options.force) await truncateDomainTables(connection, logger);
        else await refuseIfNotEmpty(connection);
        await writeDemoData(connection, dataset, logger);
      });
      // Sets the visibility map the readers' index-only scans rely on, and the planner statistics.
      const started = performance.now();
      await connection.exec(`VACUUM (ANALYZE) ${VACUUMED_AFTER_COMMIT.map(quoteIdentifier).join(", ")}`);
      logger?.info({ tables: VACUUMED_AFTER_COMMIT, ms: Math.round(performance.now() - started) }, "vacuumed the reader-history tables");
    },
    () => logger?.info("another process is seeding this database; waiting for it"),
  );
}

async function countExisting(connection: SqlConnection): Promise<{ books: number; users: number }> {
  try {
    const [row] = await connection.query<{ books: number; users: number }>(
      "SELECT (SELECT count(*) FROM books)::int AS books, (SELECT count(*) FROM users)::int AS users",
    );
    return { books: row?.books ?? 0, users: row?.users ?? 0 };
  } catch (error) {
    if (isUndefinedTable(error)) {
      throw new MissingSchemaError({ cause: error });
    }
    throw error;
  }
}

async function refuseIfNotEmpty(connection: SqlConnection): Promise<void> {
  const existing = await countExisting(connection);
  if (existing.books > 0 || existing.users > 0) throw new SeedRefusedError(existing.books, existing.users);
}

/** Every table of the schema except the migration history, ids restarted. */
export async function truncateDomainTables(connection: SqlConnection, logger?: Logger): Promise<string[]> {
  const rows = await connection.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1 ORDER BY tablename",
    [MIGRATIONS_TABLE],
  );
  const tables = rows.map((row) => row.name);
  if (tables.length > 0) await connection.exec(`TRUNCATE ${tables.map(quoteIdentifier).join(", ")} RESTART IDENTITY CASCADE`);
  logger?.info({ tables: tables.length }, "emptied the domain tables");
  return tables;
}

function isUndefinedTable(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "42P01";
}

/**
 * Loaded only when this thread generates: the generator's faker locale data would stay
 * in a serving process for good (13 MB of heap, 34 MB of RSS) to seed once, if at all.
 */
async function generatedHere(options: SeedOptions): Promise<WritableDemoDataset> {
  const { generateDemoData } = await import("./generate-demo-data.ts");
  return generateDemoData(options);
}
