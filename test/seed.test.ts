import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../lib/db/database.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { describeDatabaseSchema } from "../lib/db/schema-introspection.ts";
import { isValidIsbn10, isValidIsbn13 } from "../lib/isbn.ts";
import { parseSeedCommand, UsageError } from "../prisma/seed/command-line.ts";
import { generateDemoDataInWorker, pregenerateForFreshInstall } from "../prisma/seed/generate-in-worker.ts";
import {
  generateDemoData,
  INTERACTION_TYPES,
  isDatabaseEmpty,
  MissingSchemaError,
  seedDemoData,
  SeedRefusedError,
  type DemoDataset,
} from "../prisma/seed/index.ts";
import { databaseTargets, type TestDatabase } from "./support/databases.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const DAY_MS = 86_400_000;
const REFERENCE_TIME = Date.UTC(2025, 5, 1);
const SMALL = { books: 300, users: 200, seed: 7, referenceTime: REFERENCE_TIME } as const;

function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

/** Ratings grouped by user: [bookId, stars][] per user id. */
function ratingsByUser(data: DemoDataset): Map<number, [number, number][]> {
  const byUser = new Map<number, [number, number][]>();
  for (let row = 0; row < data.ratings.count; row++) {
    const user = data.ratings.userId[row]!;
    let list = byUser.get(user);
    if (!list) byUser.set(user, (list = []));
    list.push([data.ratings.bookId[row]!, data.ratings.rating[row]!]);
  }
  return byUser;
}

describe("generateDemoData", () => {
  const data = generateDemoData(SMALL);

  it("is deterministic: the same options give identical data, another seed different data", () => {
    const again = generateDemoData(SMALL);
    assert.deepEqual(again.books.title, data.books.title);
    assert.deepEqual(again.books.isbn13, data.books.isbn13);
    assert.deepEqual(again.books.description, data.books.description);
    assert.deepEqual(again.authors, data.authors);
    assert.deepEqual(again.users.email, data.users.email);
    assert.deepEqual(again.ratings, data.ratings);
    assert.deepEqual(again.interactions, data.interactions);
    assert.deepEqual(again.model.itemFactors, data.model.itemFactors);

    const other = generateDemoData({ ...SMALL, seed: 8 });
    const sameTitles = other.books.title.filter((title, i) => title === data.books.title[i]).length;
    assert.ok(sameTitles < 10, `${sameTitles} of 300 titles unchanged by a new seed`);
    assert.notDeepEqual(other.ratings.bookId, data.ratings.bookId);
  });

  it("keeps which books are rated and their stars when only the reference date moves", () => {
    const later = generateDemoData({ ...SMALL, referenceTime: REFERENCE_TIME + 30 * DAY_MS });
    const pairs = (d: DemoDataset) =>
      Array.from({ length: d.ratings.count }, (_, i) => `${d.ratings.userId[i]}:${d.ratings.bookId[i]}:${d.ratings.rating[i]}`).sort();
    assert.deepEqual(pairs(later), pairs(data));
    assert.deepEqual(later.books.title, data.books.title);
  });

  it("gives every book a valid, unique ISBN-13, and an ISBN-10 exactly when the prefix is 978", () => {
    assert.equal(new Set(data.books.isbn13).size, data.books.count);
    for (let i = 0; i < data.books.count; i++) {
      const isbn13 = data.books.isbn13[i]!;
      assert.ok(isValidIsbn13(isbn13), `invalid ISBN-13 ${isbn13}`);
      const isbn10 = data.books.isbn10[i];
      if (isbn13.startsWith("978")) {
        assert.ok(isbn10 && isValidIsbn10(isbn10), `invalid ISBN-10 ${isbn10} for ${isbn13}`);
        assert.equal(isbn10.slice(0, 9), isbn13.slice(3, 12));
      } else {
        assert.equal(isbn10, null);
      }
      assert.equal(data.books.coverUrl[i], `https://covers.shelfgraph.example/${isbn13}.jpg`);
    }
    const tens = data.books.isbn10.filter((isbn) => isbn !== null);
    assert.equal(new Set(tens).size, tens.length);
  });

  it("builds a plausible catalogue: genres, authors with Zipf-like output, mostly English, recent years", () => {
    assert.ok(data.genres.length >= 35);
    assert.ok(data.genres.some((genre) => genre.slug === "science-fiction" && genre.name === "Science Fiction"));
    assert.ok(data.genres.every((genre) => /^[a-z]+(-[a-z]+)*$/.test(genre.slug)));
    assert.equal(data.authors.length, 75);
    assert.equal(new Set(data.authors.map((author) => author.name)).size, data.authors.length);

    const booksPerAuthor = new Map<number, number>();
    const firstAuthors = new Set<number>();
    data.bookAuthors.authorId.forEach((author, row) => {
      booksPerAuthor.set(author, (booksPerAuthor.get(author) ?? 0) + 1);
      if (data.bookAuthors.position[row] === 0) firstAuthors.add(data.bookAuthors.bookId[row]!);
    });
    assert.equal(firstAuthors.size, data.books.count, "every book has a main author");
    assert.ok(data.bookAuthors.bookId.length > data.books.count, "some books have two authors");
    assert.ok(Math.max(...booksPerAuthor.values()) >= 8, "a prolific author exists");

    const genresPerBook = new Map<number, number>();
    for (const book of data.bookGenres.bookId) genresPerBook.set(book, (genresPerBook.get(book) ?? 0) + 1);
    assert.equal(genresPerBook.size, data.books.count);
    assert.ok([...genresPerBook.values()].every((count) => count >= 1 && count <= 4));

    const english = data.books.language.filter((language) => language === "eng").length;
    assert.ok(english / data.books.count > 0.75);
    const years = Array.from(data.books.publicationYear).sort((a, b) => a - b);
    assert.ok(years[0]! >= 1850 && years.at(-1)! <= 2025);
    assert.ok(years[Math.floor(years.length / 2)]! >= 2000, "median publication year is recent");
    assert.ok(data.books.title.some((title) => /, #\d+\)$/.test(title)), "series volumes exist");
    assert.ok(data.books.subtitle.some((subtitle) => subtitle !== null));
    assert.ok(data.books.description.every((text) => text.split(". ").length >= 2));
  });

  it("gives users unique emails, one admin, enum-valued demographics and stated preferences for some", () => {
    assert.equal(new Set(data.users.email).size, data.users.count);
    assert.deepEqual(data.users.role.map((role, i) => (role === "ADMIN" ? i + 1 : 0)).filter(Boolean), [1]);
    assert.ok(data.users.country.every((country) => /^[A-Z]{2}$/.test(country)));
    assert.ok(new Set(data.users.segment).size >= 2);
    const threeYears = 3 * 365 * DAY_MS;
    assert.ok(Array.from(data.users.registeredAt).every((at) => at >= REFERENCE_TIME - threeYears && at <= REFERENCE_TIME));
    const statedUsers = new Set(data.genrePreferences.userId);
    assert.ok(statedUsers.size > 20 && statedUsers.size < data.users.count);
  });

  it("draws ratings on a 1..5 scale, one per user and book, shaped like real ratings", () => {
    const pairs = new Set<string>();
    const histogram = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < data.ratings.count; i++) {
      const stars = data.ratings.rating[i]!;
      assert.ok(stars >= 1 && stars <= 5);
      histogram[stars]!++;
      pairs.add(`${data.ratings.userId[i]}:${data.ratings.bookId[i]}`);
    }
    assert.equal(pairs.size, data.ratings.count);
    const mean = histogram.reduce((sum, count, stars) => sum + count * stars, 0) / data.ratings.count;
    assert.ok(mean > 3.7 && mean < 4.1, `mean rating ${mean}`);
    assert.ok((histogram[3]! + histogram[4]! + histogram[5]!) / data.ratings.count > 0.8);
    assert.ok(data.ratings.count / data.users.count > 20, "users rate dozens of books on average");
  });

  it("orders ratings by time within the last two years, after each reader registered", () => {
    for (let i = 0; i < data.ratings.count; i++) {
      const at = data.ratings.createdAt[i]!;
      if (i > 0) assert.ok(at >= data.ratings.createdAt[i - 1]!, "ratings are in time order");
      assert.ok(at <= REFERENCE_TIME && at >= REFERENCE_TIME - 2 * 365 * DAY_MS);
      assert.ok(at >= data.users.registeredAt[data.ratings.userId[i]! - 1]!);
    }
  });

  it("skews popularity: the top 10% of books hold a large share of the ratings", () => {
    // A catalogue much larger than what a reader rates: in the 300-book one readers cover ~15% of it, which flattens any head.
    const larger = generateDemoData({ books: 3000, users: 1000, seed: 7, referenceTime: REFERENCE_TIME });
    const counts = Array.from(larger.books.ratingsCount).sort((a, b) => b - a);
    const top = counts.slice(0, larger.books.count / 10).reduce((sum, count) => sum + count, 0);
    assert.ok(top / larger.ratings.count > 0.3, `top 10% hold ${(top / larger.ratings.count).toFixed(2)}`);
    assert.ok(counts[0]! > 5 * counts[Math.floor(counts.length / 2)]!, "head far above the median book");
  });

  it("hides a latent-factor signal: stars follow the hidden affinity", () => {
    const expected = Array.from({ length: data.ratings.count }, (_, i) => data.model.expectedScore(data.ratings.userId[i]!, data.ratings.bookId[i]!));
    assert.ok(pearson(expected, data.ratings.rating) > 0.6, "stars correlate with biases + u·v");

    // Within a reader (biases removed), the taste match alone still orders their stars.
    const correlations: number[] = [];
    for (const [user, rated] of ratingsByUser(data)) {
      if (rated.length < 20) continue;
      const stars = rated.map(([, value]) => value);
      if (new Set(stars).size < 2) continue;
      correlations.push(pearson(rated.map(([book]) => data.model.preference(user, book)), stars));
    }
    const meanWithinUser = correlations.reduce((sum, r) => sum + r, 0) / correlations.length;
    assert.ok(meanWithinUser > 0.3, `mean within-user correlation ${meanWithinUser.toFixed(2)}`);

    // Which books get rated is steered by taste too: rated books match better than the catalogue.
    let ratedMatch = 0;
    let catalogueMatch = 0;
    for (const [user, rated] of ratingsByUser(data)) {
      ratedMatch += rated.reduce((sum, [book]) => sum + data.model.preference(user, book), 0) / rated.length;
      let all = 0;
      for (let book = 1; book <= data.books.count; book++) all += data.model.preference(user, book);
      catalogueMatch += all / data.books.count;
    }
    assert.ok(ratedMatch > catalogueMatch + 0.3 * data.users.count, "readers pick books that suit them");
  });

  it("makes content and collaborative signals agree: books sharing a main genre have similar hidden factors", () => {
    const k = data.model.factors;
    const mainGenre = new Map<number, number>();
    for (let row = 0; row < data.bookGenres.bookId.length; row++) {
      const book = data.bookGenres.bookId[row]!;
      if (!mainGenre.has(book)) mainGenre.set(book, data.bookGenres.genreId[row]!);
    }
    const factorsOf = (book: number) => Array.from(data.model.itemFactors.subarray((book - 1) * k, book * k));
    const cosine = (a: number, b: number) => {
      const x = factorsOf(a);
      const y = factorsOf(b);
      const dot = x.reduce((sum, value, f) => sum + value * y[f]!, 0);
      return dot / Math.sqrt(x.reduce((sum, value) => sum + value * value, 0) * y.reduce((sum, value) => sum + value * value, 0));
    };
    const same: number[] = [];
    const different: number[] = [];
    for (let a = 1; a <= 150; a++) {
      for (let b = a + 1; b <= 150; b++) (mainGenre.get(a) === mainGenre.get(b) ? same : different).push(cosine(a, b));
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(mean(same) > mean(different) + 0.3, `same-genre cosine ${mean(same).toFixed(2)} vs ${mean(different).toFixed(2)}`);

    // Stated preferences are true: readers rate their stated genres' books above their others.
    const genresOf = new Map<number, Set<number>>();
    data.bookGenres.bookId.forEach((book, row) => {
      if (!genresOf.has(book)) genresOf.set(book, new Set());
      genresOf.get(book)!.add(data.bookGenres.genreId[row]!);
    });
    const stated = new Map<number, Set<number>>();
    data.genrePreferences.userId.forEach((user, row) => {
      if (!stated.has(user)) stated.set(user, new Set());
      stated.get(user)!.add(data.genrePreferences.genreId[row]!);
    });
    const inStated: number[] = [];
    const outside: number[] = [];
    for (const [user, rated] of ratingsByUser(data)) {
      const likes = stated.get(user);
      if (!likes) continue;
      for (const [book, stars] of rated) ([...genresOf.get(book)!].some((genre) => likes.has(genre)) ? inStated : outside).push(stars);
    }
    assert.ok(mean(inStated) > mean(outside) + 0.2, `stated-genre books ${mean(inStated).toFixed(2)} vs others ${mean(outside).toFixed(2)}`);
  });

  it("logs every rating as a RATE interaction and adds a modest volume of implicit ones", () => {
    const byType = new Map<string, number>();
    for (const code of data.interactions.type) byType.set(INTERACTION_TYPES[code]!, (byType.get(INTERACTION_TYPES[code]!) ?? 0) + 1);
    assert.equal(byType.get("RATE"), data.ratings.count);
    const implicit = data.interactions.count - data.ratings.count;
    assert.ok(implicit > 0.1 * data.ratings.count && implicit < 0.3 * data.ratings.count, `${implicit} implicit interactions`);
    for (const type of ["SHELVE", "START_READING", "FINISH_READING", "VIEW"]) assert.ok((byType.get(type) ?? 0) > 0, `${type} present`);
    assert.equal(byType.get("SHELVE"), data.bookmarks.userId.length);
    for (let i = 1; i < data.interactions.count; i++) assert.ok(data.interactions.occurredAt[i]! >= data.interactions.occurredAt[i - 1]!);
  });

  it("generates the same data on a worker thread (a fresh npm start), all but the hidden model", async () => {
    const { model: _model, ...here } = generateDemoData(SMALL);
    assert.deepEqual(await generateDemoDataInWorker(SMALL), here);
  });

  it("pre-generates only for an embedded database that does not exist yet", async () => {
    const config = { DATABASE_URL: undefined, SEED_BOOKS: 50, SEED_USERS: 20, SEED_RANDOM_SEED: 1 };
    const existing = await mkdtemp(join(tmpdir(), "shelfgraph-pregenerate-"));
    try {
      assert.equal(pregenerateForFreshInstall({ ...config, PGLITE_DATA_DIR: "memory://" }), null);
      assert.equal(pregenerateForFreshInstall({ ...config, DATABASE_URL: "postgresql://localhost/x", PGLITE_DATA_DIR: join(existing, "new") }), null);
      await writeFile(join(existing, "PG_VERSION"), "17");
      assert.equal(pregenerateForFreshInstall({ ...config, PGLITE_DATA_DIR: existing }), null, "a directory with a database in it");
      const fresh = pregenerateForFreshInstall({ ...config, PGLITE_DATA_DIR: join(existing, "new") });
      assert.equal((await fresh)?.books.count, 50);
    } finally {
      await rm(existing, { recursive: true, force: true });
    }
  });

  it("rejects sizes and seeds that are not integers in range", () => {
    assert.throws(() => generateDemoData({ books: 0, users: 10, seed: 1 }), /books must be a positive integer/);
    assert.throws(() => generateDemoData({ books: 10, users: 2.5, seed: 1 }), /users must be a positive integer/);
    assert.throws(() => generateDemoData({ books: 10, users: 10, seed: -1 }), /seed must be an integer/);
  });
});

describe("db:seed command line", () => {
  const config = { SEED_BOOKS: 10_000, SEED_USERS: 5_000, SEED_RANDOM_SEED: 42 };

  it("takes its defaults from the configuration and validates every option", () => {
    assert.deepEqual(parseSeedCommand([], config), { books: 10_000, users: 5_000, seed: 42, force: false, referenceTime: undefined });
    assert.deepEqual(parseSeedCommand(["--books", "300", "--users=20", "--seed", "0", "--force", "--as-of", "2025-06-01"], config), {
      books: 300,
      users: 20,
      seed: 0,
      force: true,
      referenceTime: REFERENCE_TIME,
    });
    assert.throws(() => parseSeedCommand(["--books", "0"], config), UsageError);
    assert.throws(() => parseSeedCommand(["--users", "12abc"], config), /--users must be an integer/);
    assert.throws(() => parseSeedCommand(["--seed=-3"], config), /--seed must be an integer/);
    assert.throws(() => parseSeedCommand(["--as-of", "yesterday"], config), /--as-of must be a date/);
    assert.throws(() => parseSeedCommand(["--bogus"], config), UsageError);
  });

  it("seeds a migrated database, then refuses to seed it again without --force", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "shelfgraph-seed-cli-"));
    try {
      const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: dataDir });
      await applyMigrations(db);
      await db.close();
      const env = { PGLITE_DATA_DIR: dataDir };
      const first = await runSeedCli(["--books", "40", "--users", "25", "--seed", "3"], env);
      assert.equal(first.code, 0, first.output);
      assert.match(first.output, /Seeded pglite:.*: 40 books, 10 authors, .* 25 users, [\d,]+ ratings/);
      const second = await runSeedCli(["--books", "40", "--users", "25"], env);
      assert.equal(second.code, 1);
      assert.match(second.output, /Refusing to seed: the database already holds 40 books and 25 users.*--force/);
      const invalid = await runSeedCli(["--books", "0"], env);
      assert.equal(invalid.code, 2);
      assert.match(invalid.output, /--books must be an integer between 1 and/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function runSeedCli(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "prisma/seed.ts", ...args],
      { cwd: repoRoot, env: { ...inherited, LOG_LEVEL: "warn", NODE_ENV: "test", ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

for (const target of databaseTargets()) {
  describe(`seedDemoData (${target.name})`, () => {
    let database: TestDatabase;
    let db: Database;
    const data = generateDemoData(SMALL);
    const query = <Row>(sql: string, params?: unknown[]) => db.withConnection((connection) => connection.query<Row>(sql, params));

    before(async () => {
      database = await target.create();
      db = database.db;
    });

    after(async () => {
      await database?.drop();
    });

    it("explains that migrations must come first on a database without the schema", async () => {
      await assert.rejects(seedDemoData(db, SMALL), MissingSchemaError);
      await applyMigrations(db);
      assert.equal(await isDatabaseEmpty(db), true);
    });

    it("writes exactly the generated dataset and leaves the schema as the migrations made it", async () => {
      const schemaBefore = await db.withConnection(describeDatabaseSchema);
      const summary = await seedDemoData(db, SMALL);
      assert.deepEqual(await db.withConnection(describeDatabaseSchema), schemaBefore, "indexes and foreign keys restored");
      assert.equal(await isDatabaseEmpty(db), false);

      const counts = (await query<Record<string, number>>(
        `SELECT (SELECT count(*) FROM books)::int AS books, (SELECT count(*) FROM authors)::int AS authors,
                (SELECT count(*) FROM genres)::int AS genres, (SELECT count(*) FROM users)::int AS users,
                (SELECT count(*) FROM ratings)::int AS ratings, (SELECT count(*) FROM interactions)::int AS interactions,
                (SELECT count(*) FROM bookmarks)::int AS bookmarks, (SELECT count(*) FROM reading_history)::int AS "readingHistory",
                (SELECT count(*) FROM publishers)::int AS publishers`,
      ))[0]!;
      const { ms, ...written } = summary;
      assert.ok(ms > 0);
      assert.deepEqual(counts, written);
      assert.equal(summary.ratings, data.ratings.count);

      const ratings = await query<{ id: number; user_id: number; book_id: number; rating: number; created_at: Date }>(
        "SELECT id, user_id, book_id, rating, created_at FROM ratings ORDER BY id",
      );
      ratings.forEach((row, i) => {
        assert.equal(row.id, i + 1);
        assert.equal(row.user_id, data.ratings.userId[i]);
        assert.equal(row.book_id, data.ratings.bookId[i]);
        assert.equal(row.rating, data.ratings.rating[i]);
        assert.equal(row.created_at.getTime(), data.ratings.createdAt[i], "timestamps survive to the millisecond");
      });
      const books = await query<{ title: string; isbn13: string; isbn10: string | null }>("SELECT title, isbn13, isbn10 FROM books ORDER BY id");
      assert.deepEqual(books.map((book) => book.title), data.books.title);
      assert.deepEqual(books.map((book) => book.isbn10), data.books.isbn10);
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { id: 1 } });
      assert.equal(admin.role, "ADMIN");
      assert.equal(admin.email, data.users.email[0]);
      const reader = await db.prisma.user.findUniqueOrThrow({ where: { id: 2 }, include: { genrePreferences: true } });
      assert.equal(reader.role, "READER");
      assert.equal(reader.ageGroup, data.users.ageGroup[1]);
    });

    it("vacuums the reader-history tables, so a reader's history is read from the index alone", async () => {
      const tables = await query<{ name: string; pages: number; visible: number }>(
        `SELECT relname AS name, relpages AS pages, relallvisible AS visible FROM pg_class
          WHERE relname IN ('ratings', 'interactions') AND relnamespace = current_schema()::regnamespace ORDER BY relname`,
      );
      assert.deepEqual(tables.map((t) => t.name), ["interactions", "ratings"]);
      for (const table of tables) {
        assert.ok(table.pages > 0, `${table.name} has pages`);
        assert.equal(table.visible, table.pages, `every page of ${table.name} is marked all-visible`);
      }
    });

    it("keeps books.average_rating and ratings_count consistent with the ratings", async () => {
      const [mismatch] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM books b
           LEFT JOIN (SELECT book_id, avg(rating)::float8 AS average, count(*)::int AS total FROM ratings GROUP BY book_id) r ON r.book_id = b.id
          WHERE b.ratings_count <> coalesce(r.total, 0) OR abs(b.average_rating - coalesce(r.average, 0)) > 1e-9`,
      );
      assert.equal(mismatch!.n, 0);
      const stored = await query<{ average_rating: number; ratings_count: number }>("SELECT average_rating, ratings_count FROM books ORDER BY id");
      stored.forEach((row, i) => {
        assert.equal(row.ratings_count, data.books.ratingsCount[i]);
        assert.ok(Math.abs(row.average_rating - data.books.averageRating[i]!) < 1e-9);
      });
    });

    it("leaves every book's search document as its own trigger computes it", async (t) => {
      const [found] = await query<{ present: boolean }>("SELECT to_regproc('book_search_document') IS NOT NULL AS present");
      if (!found?.present) return t.skip("no search-document function in this schema");
      const [stale] = await query<{ n: number }>(
        "SELECT count(*)::int AS n FROM books WHERE search_document IS DISTINCT FROM book_search_document(id, title, subtitle, description)",
      );
      assert.equal(stale!.n, 0);
    });

    it("refuses to seed a database that already has data, and changes nothing", async () => {
      await assert.rejects(seedDemoData(db, { ...SMALL, seed: 99 }), (error: unknown) => {
        assert.ok(error instanceof SeedRefusedError);
        assert.match(error.message, /already holds 300 books and 200 users.*--force/);
        return true;
      });
      const [row] = await query<{ title: string }>("SELECT title FROM books WHERE id = 1");
      assert.equal(row!.title, data.books.title[0]);
    });

    it("moves the sequences past the seeded ids, so the application's inserts work", async () => {
      const [user] = await query<{ id: number }>("INSERT INTO users (display_name, email) VALUES ('New Reader', 'new.reader@example.com') RETURNING id");
      assert.equal(user!.id, SMALL.users + 1);
      const [book] = await query<{ id: number }>("INSERT INTO books (title) VALUES ('A Fresh Book') RETURNING id");
      assert.equal(book!.id, SMALL.books + 1);
      const created = await db.prisma.rating.create({ data: { userId: user!.id, bookId: 1, rating: 4 } });
      assert.equal(created.id, data.ratings.count + 1);
      const interaction = await db.prisma.interaction.create({ data: { userId: user!.id, bookId: 1, type: "VIEW" } });
      assert.equal(interaction.id, BigInt(data.interactions.count + 1));
      const [author] = await query<{ id: number }>("INSERT INTO authors (name) VALUES ('Brand New Author') RETURNING id");
      assert.equal(author!.id, data.authors.length + 1);
      const [entry] = await query<{ id: number }>("INSERT INTO reading_history (user_id, book_id) VALUES ($1, 1) RETURNING id", [user!.id]);
      assert.equal(entry!.id, data.readingHistory.userId.length + 1);
    });

    it("with force, empties the domain tables (not the migration history) and seeds afresh", async () => {
      const [migrationsBefore] = await query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations");
      const summary = await seedDemoData(db, { books: 120, users: 80, seed: 11, referenceTime: REFERENCE_TIME, force: true });
      const fresh = generateDemoData({ books: 120, users: 80, seed: 11, referenceTime: REFERENCE_TIME });
      const [counts] = await query<{ books: number; users: number; ratings: number; max_user: number }>(
        "SELECT (SELECT count(*) FROM books)::int AS books, (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM ratings)::int AS ratings, (SELECT max(id) FROM users) AS max_user",
      );
      assert.deepEqual(counts, { books: 120, users: 80, ratings: fresh.ratings.count, max_user: 80 });
      assert.equal(summary.ratings, fresh.ratings.count);
      const [title] = await query<{ title: string }>("SELECT title FROM books WHERE id = 1");
      assert.equal(title!.title, fresh.books.title[0]);
      const [migrationsAfter] = await query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations");
      assert.equal(migrationsAfter!.n, migrationsBefore!.n);
    });
  });
}
