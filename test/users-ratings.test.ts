import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { eventually } from "./support/eventually.ts";
import { captureInteractions } from "./support/interaction-events.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const RATE = /* GraphQL */ `
  mutation Rate($bookId: ID!, $rating: Int!) {
    rateBook(bookId: $bookId, rating: $rating) { id rating scale ratedAt book { id title } user { id } }
  }
`;
const REMOVE = /* GraphQL */ `mutation Remove($bookId: ID!) { removeRating(bookId: $bookId) }`;
const BOOK_STATS = /* GraphQL */ `query Stats($id: ID!) { book(id: $id) { averageRating ratingsCount } }`;

for (const target of databaseTargets()) {
  describe(`ratings and preferences through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let url: string;
    const tokenFor = (userId: number, role: "READER" | "ADMIN" = "READER") =>
      signAccessToken(running.runtime.config, { userId, role });

    /** What books.average_rating / ratings_count must be, computed independently from the ratings. */
    async function expectedStats(bookId: number) {
      const ratings = await running.runtime.db.prisma.rating.findMany({ where: { bookId }, select: { rating: true } });
      const sum = ratings.reduce((total, row) => total + row.rating, 0);
      return { averageRating: ratings.length ? sum / ratings.length : 0, ratingsCount: ratings.length };
    }

    async function statsThroughGateway(bookId: number) {
      const result = await graphql(url, BOOK_STATS, { variables: { id: String(bookId) } });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result.data!.book as { averageRating: number; ratingsCount: number };
    }

    async function assertStatsExact(bookId: number) {
      const expected = await expectedStats(bookId);
      const actual = await statsThroughGateway(bookId);
      assert.equal(actual.ratingsCount, expected.ratingsCount);
      assert.ok(Math.abs(actual.averageRating - expected.averageRating) < 1e-9, `${actual.averageRating} vs ${expected.averageRating}`);
      return actual;
    }

    /** A reader who has not rated the book yet. */
    async function readerWhoHasNotRated(bookIds: number | number[], skip: number[] = []) {
      const raters = await running.runtime.db.prisma.rating.findMany({ where: { bookId: { in: [bookIds].flat() } }, select: { userId: true } });
      const excluded = new Set([...raters.map((row) => row.userId), ...skip]);
      const user = await running.runtime.db.prisma.user.findFirst({
        where: { id: { notIn: [...excluded] }, role: "READER" },
        orderBy: { id: "asc" },
      });
      assert.ok(user, "the seed has a reader who has not rated the book");
      return user.id;
    }

    before(async () => {
      running = await startTestSupergraph(target, { books: 60, users: 40, seed: 11 });
      url = running.gatewayUrl;
    });
    after(async () => {
      await running?.stop();
    });

    it("keeps a book's average and count exact through rate, re-rate and remove, and publishes each rating", async () => {
      const bookId = 3;
      const userId = await readerWhoHasNotRated(bookId);
      const token = await tokenFor(userId);
      const before = await assertStatsExact(bookId);

      const events = await captureInteractions(running.runtime, 1, async () => {
        const rated = await graphql(url, RATE, { variables: { bookId: String(bookId), rating: 5 }, token });
        assert.equal(rated.errors, undefined, JSON.stringify(rated.errors));
        assert.equal(rated.data!.rateBook.rating, 5);
        assert.equal(rated.data!.rateBook.scale, 5);
        assert.equal(rated.data!.rateBook.user.id, String(userId));
        assert.ok(rated.data!.rateBook.book.title.length > 0, "the book's title comes from the books subgraph");
      });
      assert.equal(events.length, 1);
      const [event] = events;
      assert.deepEqual({ ...event, occurredAt: undefined }, { userId, bookId, type: "RATE", value: 5, occurredAt: undefined });
      assert.ok(Math.abs(Date.parse(event!.occurredAt) - Date.now()) < 60_000);
      const stored = await running.runtime.db.prisma.interaction.count({ where: { userId, bookId, type: "RATE" } });
      assert.equal(stored, 1, "the interaction is stored as well as published");

      const afterRating = await assertStatsExact(bookId);
      assert.equal(afterRating.ratingsCount, before.ratingsCount + 1);

      const rerated = await graphql(url, RATE, { variables: { bookId: String(bookId), rating: 1 }, token });
      assert.equal(rerated.errors, undefined);
      const afterRerating = await assertStatsExact(bookId);
      assert.equal(afterRerating.ratingsCount, before.ratingsCount + 1, "re-rating replaces, it does not add");
      assert.ok(afterRerating.averageRating < afterRating.averageRating);

      const removed = await graphql(url, REMOVE, { variables: { bookId: String(bookId) }, token });
      assert.equal(removed.data!.removeRating, true);
      const afterRemoval = await assertStatsExact(bookId);
      assert.equal(afterRemoval.ratingsCount, before.ratingsCount);
      assert.ok(Math.abs(afterRemoval.averageRating - before.averageRating) < 1e-9);

      const again = await graphql(url, REMOVE, { variables: { bookId: String(bookId) }, token });
      assert.equal(again.data!.removeRating, false, "nothing left to remove");
    });

    it("stays exact when many readers rate the same book at once", async () => {
      const bookId = 4;
      const raters: number[] = [];
      for (let index = 0; index < 8; index += 1) raters.push(await readerWhoHasNotRated(bookId, raters));
      const before = await expectedStats(bookId);
      const results = await Promise.all(
        raters.map(async (userId, index) =>
          graphql(url, RATE, { variables: { bookId: String(bookId), rating: (index % 5) + 1 }, token: await tokenFor(userId) }),
        ),
      );
      for (const result of results) assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const stats = await assertStatsExact(bookId);
      assert.equal(stats.ratingsCount, before.ratingsCount + raters.length);
    });

    it("rejects bad ratings with coded errors and writes nothing", async () => {
      const bookId = 5;
      const userId = await readerWhoHasNotRated(bookId);
      const token = await tokenFor(userId);
      const before = await running.runtime.db.prisma.interaction.count();
      for (const rating of [7, 0, -1]) {
        const result = await graphql(url, RATE, { variables: { bookId: String(bookId), rating }, token });
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"]);
        assert.equal(result.errors![0]!.extensions?.field, "rating");
      }
      const unknown = await graphql(url, RATE, { variables: { bookId: "987654", rating: 4 }, token });
      assert.deepEqual(errorCodes(unknown), ["NOT_FOUND"]);
      const malformed = await graphql(url, RATE, { variables: { bookId: "x", rating: 4 }, token });
      assert.deepEqual(errorCodes(malformed), ["BAD_USER_INPUT"]);
      const anonymous = await graphql(url, RATE, { variables: { bookId: String(bookId), rating: 4 } });
      assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"]);

      assert.equal(await running.runtime.db.prisma.rating.count({ where: { userId, bookId } }), 0);
      assert.equal(await running.runtime.db.prisma.interaction.count(), before, "no interaction for a refused rating");
      await assertStatsExact(bookId);
    });

    it("lists a user's ratings newest first, page by page", async () => {
      const userId = await readerWhoHasNotRated([6, 7, 8]);
      const token = await tokenFor(userId);
      const total = await running.runtime.db.prisma.rating.count({ where: { userId } });
      for (const [bookId, rating] of [[6, 2], [7, 3], [8, 4]] as const) {
        const result = await graphql(url, RATE, { variables: { bookId: String(bookId), rating }, token });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      }
      const query = `query($id: ID!, $after: String) { user(id: $id) { ratings(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { rating book { id title } } } } } }`;
      const first = await graphql(url, query, { variables: { id: String(userId) } });
      assert.equal(first.errors, undefined, JSON.stringify(first.errors));
      const page = first.data!.user.ratings;
      assert.equal(page.totalCount, total + 3);
      assert.deepEqual(page.edges.map((edge: any) => edge.node.book.id), ["8", "7"]);
      assert.equal(page.pageInfo.hasNextPage, true);
      const second = await graphql(url, query, { variables: { id: String(userId), after: page.pageInfo.endCursor } });
      assert.equal(second.data!.user.ratings.edges[0].node.book.id, "6");
      assert.equal(second.data!.user.ratings.edges[0].node.rating, 2);

      const badCursor = await graphql(url, query, { variables: { id: String(userId), after: "nope" } });
      assert.deepEqual(errorCodes(badCursor), ["BAD_USER_INPUT"]);
      const tooMany = await graphql(url, `{ user(id: "${userId}") { ratings(first: 500) { totalCount } } }`);
      assert.deepEqual(errorCodes(tooMany), ["BAD_USER_INPUT"]);
    });

    it("learns preferences from 4 and 5 star ratings and keeps the stated ones", async () => {
      const prisma = running.runtime.db.prisma;
      const userId = await readerWhoHasNotRated(9);
      const token = await tokenFor(userId);
      // A clean slate: no seeded ratings or preferences, only what this test does.
      await prisma.rating.deleteMany({ where: { userId } });
      await prisma.userGenrePreference.deleteMany({ where: { userId } });
      await prisma.userAuthorPreference.deleteMany({ where: { userId } });
      const genresOf9 = (await prisma.bookGenre.findMany({ where: { bookId: 9 } })).map((link) => String(link.genreId));
      const authorsOf9 = (await prisma.bookAuthor.findMany({ where: { bookId: 9 } })).map((link) => String(link.authorId));
      assert.ok(genresOf9.length > 0 && authorsOf9.length > 0);

      const PREFERENCES = `{ me { preferences {
        genres { genre { id name } weight origin }
        authors { author { id name } weight origin } } } }`;
      const empty = await graphql(url, PREFERENCES, { token });
      assert.equal(empty.errors, undefined, JSON.stringify(empty.errors));
      assert.deepEqual(empty.data!.me.preferences, { genres: [], authors: [] });

      await graphql(url, RATE, { variables: { bookId: "9", rating: 5 }, token });
      await graphql(url, RATE, { variables: { bookId: "10", rating: 2 }, token });
      // Learnt by the stream's preferences consumer, moments after the ratings committed.
      const learnt = await eventually(
        () => graphql(url, PREFERENCES, { token }),
        (result) => (result.data?.me?.preferences?.genres?.length ?? 0) >= genresOf9.length,
      );
      assert.equal(learnt.errors, undefined, JSON.stringify(learnt.errors));
      const { genres, authors } = learnt.data!.me.preferences;
      assert.deepEqual(new Set(genres.map((entry: any) => entry.genre.id)), new Set(genresOf9), "only the liked book teaches");
      assert.deepEqual(new Set(authors.map((entry: any) => entry.author.id)), new Set(authorsOf9));
      for (const entry of [...genres, ...authors]) {
        assert.equal(entry.origin, "LEARNT");
        assert.equal(entry.weight, 1, "every liked book is in it");
      }
      assert.ok(genres.every((entry: any) => entry.genre.name.length > 0), "names come from the books subgraph");

      const someGenre = await prisma.genre.findFirst({ where: { id: { notIn: genresOf9.map(Number) } } });
      const stated = await graphql(
        url,
        `mutation($g: [ID!]!, $a: [ID!]!) { setPreferences(genreIds: $g, authorIds: $a) {
          genres { genre { id name } origin weight } authors { author { id } origin } } }`,
        { variables: { g: [String(someGenre!.id), genresOf9[0]], a: [] }, token },
      );
      assert.equal(stated.errors, undefined, JSON.stringify(stated.errors));
      const origins = new Map(stated.data!.setPreferences.genres.map((entry: any) => [entry.genre.id, entry.origin]));
      assert.equal(origins.get(String(someGenre!.id)), "STATED");
      assert.equal(origins.get(genresOf9[0]), "STATED", "a stated genre is not duplicated as learnt");
      for (const id of genresOf9.slice(1)) assert.equal(origins.get(id), "LEARNT");
      assert.ok(stated.data!.setPreferences.authors.every((entry: any) => entry.origin === "LEARNT"));

      await graphql(url, REMOVE, { variables: { bookId: "9" }, token });
      const forgotten = await graphql(url, PREFERENCES, { token });
      const remaining = forgotten.data!.me.preferences;
      assert.deepEqual(remaining.genres.map((entry: any) => entry.origin), ["STATED", "STATED"], "learnt ones follow the ratings");
      assert.deepEqual(remaining.authors, []);

      const unknownGenre = await graphql(url, `mutation { setPreferences(genreIds: ["99999"], authorIds: []) { genres { weight } } }`, { token });
      assert.deepEqual(errorCodes(unknownGenre), ["NOT_FOUND"]);
      const snooping = await graphql(url, `{ user(id: "${userId}") { preferences { genres { weight } } } }`, { token: await tokenFor(userId + 1) });
      assert.deepEqual(errorCodes(snooping), ["FORBIDDEN"]);
      const admin = await graphql(url, `{ user(id: "${userId}") { preferences { genres { weight } } } }`, { token: await tokenFor(1, "ADMIN") });
      assert.equal(admin.errors, undefined);
      assert.equal(admin.data!.user.preferences.genres.length, 2);
    });
  });
}
