import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { captureInteractions } from "./support/interaction-events.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const WRITE = /* GraphQL */ `
  mutation Write($bookId: ID!, $text: String!, $rating: Int) {
    writeReview(bookId: $bookId, text: $text, rating: $rating) { id text rating author { id displayName } book { id title } }
  }
`;
const EDIT = /* GraphQL */ `
  mutation Edit($id: ID!, $text: String!, $rating: Int) { editReview(id: $id, text: $text, rating: $rating) { id text rating } }
`;
const DELETE = /* GraphQL */ `mutation Delete($id: ID!) { deleteReview(id: $id) }`;
const BOOK_REVIEWS = /* GraphQL */ `
  query Reviews($id: ID!, $first: Int, $after: String) {
    book(id: $id) { title averageRating ratingsCount
      reviews(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { id text rating author { id displayName } } } } }
  }
`;

for (const target of databaseTargets()) {
  describe(`reviews, reading, shelf and follows through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let url: string;
    const tokenFor = (userId: number, role: "READER" | "ADMIN" = "READER") =>
      signAccessToken(running.runtime.config, { userId, role });
    const call = async (query: string, variables: Record<string, unknown>, userId?: number, role?: "READER" | "ADMIN") =>
      graphql(url, query, { variables, ...(userId === undefined ? {} : { token: await tokenFor(userId, role) }) });
    const ok = <T extends { errors?: unknown }>(result: T): T => {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result;
    };

    before(async () => {
      running = await startTestSupergraph(target, { books: 40, users: 30, seed: 5 });
      url = running.gatewayUrl;
    });
    after(async () => {
      await running?.stop();
    });

    it("writes, edits and deletes reviews, shown on Book.reviews with their authors; others' reviews are FORBIDDEN", async () => {
      const prisma = running.runtime.db.prisma;
      const raters = new Set((await prisma.rating.findMany({ where: { bookId: 2 } })).map((rating) => rating.userId));
      const [alice, bob] = (await prisma.user.findMany({ where: { role: "READER" }, orderBy: { id: "asc" } }))
        .map((user) => user.id)
        .filter((id) => !raters.has(id));
      assert.ok(alice && bob, "two readers who have not rated book 2");
      const before = ok(await call(BOOK_REVIEWS, { id: "2" })).data!.book.ratingsCount;

      const events = await captureInteractions(running.runtime, 2, async () => {
        const written = ok(await call(WRITE, { bookId: "2", text: "  A slow burn that pays off.  ", rating: 4 }, alice));
        assert.equal(written.data!.writeReview.text, "A slow burn that pays off.");
        assert.equal(written.data!.writeReview.author.id, String(alice));
        assert.ok(written.data!.writeReview.book.title.length > 0);
      });
      assert.deepEqual(events.map((event) => [event.type, event.userId, event.bookId, event.value]).sort(), [
        ["RATE", alice, 2, 4],
        ["REVIEW", alice, 2, 4],
      ]);
      ok(await call(WRITE, { bookId: "2", text: "Not for me." }, bob));

      const listed = ok(await call(BOOK_REVIEWS, { id: "2", first: 1 }));
      const book = listed.data!.book;
      assert.equal(book.reviews.totalCount, 2);
      assert.equal(book.reviews.edges[0].node.author.id, String(bob), "newest first");
      assert.ok(book.reviews.edges[0].node.author.displayName.length > 0);
      assert.equal(book.reviews.pageInfo.hasNextPage, true);
      assert.equal(book.ratingsCount, before + 1, "the review's stars rate the book; a review without stars does not");
      const next = ok(await call(BOOK_REVIEWS, { id: "2", first: 1, after: book.reviews.pageInfo.endCursor }));
      const alicesReview = next.data!.book.reviews.edges[0].node;
      assert.equal(alicesReview.author.id, String(alice));
      assert.equal(next.data!.book.reviews.pageInfo.hasNextPage, false);

      const again = await call(WRITE, { bookId: "2", text: "Twice?" }, alice);
      assert.deepEqual(errorCodes(again), ["CONFLICT"]);

      const hijack = await call(EDIT, { id: alicesReview.id, text: "Bob was here" }, bob);
      assert.deepEqual(errorCodes(hijack), ["FORBIDDEN"]);
      const vandal = await call(DELETE, { id: alicesReview.id }, bob);
      assert.deepEqual(errorCodes(vandal), ["FORBIDDEN"]);
      const anonymous = await call(DELETE, { id: alicesReview.id });
      assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"]);

      const edited = ok(await call(EDIT, { id: alicesReview.id, text: "Better on a second read.", rating: 5 }, alice));
      assert.deepEqual(edited.data!.editReview, { id: alicesReview.id, text: "Better on a second read.", rating: 5 });
      const rating = await prisma.rating.findUnique({ where: { userId_bookId: { userId: alice, bookId: 2 } } });
      assert.equal(rating?.rating, 5, "editing the stars re-rates the book");

      const moderated = ok(await call(EDIT, { id: alicesReview.id, text: "[removed by a moderator]" }, 1, "ADMIN"));
      assert.equal(moderated.data!.editReview.rating, 5);

      assert.equal(ok(await call(DELETE, { id: alicesReview.id }, alice)).data!.deleteReview, true);
      const gone = await call(DELETE, { id: alicesReview.id }, alice);
      assert.deepEqual(errorCodes(gone), ["NOT_FOUND"]);
      const remaining = ok(await call(BOOK_REVIEWS, { id: "2", first: 10 }));
      assert.deepEqual(remaining.data!.book.reviews.edges.map((edge: any) => edge.node.author.id), [String(bob)]);
      const bobs = ok(await call(`{ user(id: "${bob}") { reviews(first: 5) { totalCount edges { node { text book { id title } } } } } }`, {}));
      assert.equal(bobs.data!.user.reviews.totalCount, 1);
      assert.equal(bobs.data!.user.reviews.edges[0].node.book.id, "2");
      assert.equal(bobs.data!.user.reviews.edges[0].node.text, "Not for me.");
    });

    it("validates reviews and writes nothing on bad input", async () => {
      const prisma = running.runtime.db.prisma;
      const carol = 13;
      const reviewsBefore = await prisma.review.count();
      const interactionsBefore = await prisma.interaction.count();
      const cases: [Record<string, unknown>, string, string][] = [
        [{ bookId: "3", text: "" }, "BAD_USER_INPUT", "text"],
        [{ bookId: "3", text: "   " }, "BAD_USER_INPUT", "text"],
        [{ bookId: "3", text: "x".repeat(10_001) }, "BAD_USER_INPUT", "text"],
        [{ bookId: "3", text: "Fine", rating: 7 }, "BAD_USER_INPUT", "rating"],
        [{ bookId: "987654", text: "Fine" }, "NOT_FOUND", ""],
      ];
      for (const [variables, code, field] of cases) {
        const result = await call(WRITE, variables, carol);
        assert.deepEqual(errorCodes(result), [code], JSON.stringify(variables).slice(0, 80));
        if (field) assert.equal(result.errors![0]!.extensions?.field, field);
      }
      assert.equal(await prisma.review.count(), reviewsBefore);
      assert.equal(await prisma.interaction.count(), interactionsBefore);

      const longest = ok(await call(WRITE, { bookId: "3", text: "y".repeat(10_000) }, carol));
      assert.equal(longest.data!.writeReview.text.length, 10_000);
      const unknown = await call(EDIT, { id: "999999", text: "?" }, carol);
      assert.deepEqual(errorCodes(unknown), ["NOT_FOUND"]);
    });

    it("tracks reading history and the shelf, publishing each interest once", async () => {
      const dave = 14;
      const prisma = running.runtime.db.prisma;
      await prisma.readingEntry.deleteMany({ where: { userId: dave } });
      await prisma.bookmark.deleteMany({ where: { userId: dave } });
      const ENTRY = "id status startedAt finishedAt book { id title }";

      const events = await captureInteractions(running.runtime, 5, async () => {
        const started = ok(await call(`mutation { startReading(bookId: "5") { ${ENTRY} } }`, {}, dave)).data!.startReading;
        assert.equal(started.status, "READING");
        assert.equal(started.finishedAt, null);
        const again = ok(await call(`mutation { startReading(bookId: "5") { ${ENTRY} } }`, {}, dave)).data!.startReading;
        assert.equal(again.id, started.id, "starting a book being read keeps its entry");
        const finished = ok(await call(`mutation { finishReading(bookId: "5") { ${ENTRY} } }`, {}, dave)).data!.finishReading;
        assert.equal(finished.id, started.id);
        assert.equal(finished.status, "FINISHED");
        assert.ok(Date.parse(finished.finishedAt) >= Date.parse(finished.startedAt));
        const readBefore = ok(await call(`mutation { finishReading(bookId: "6") { ${ENTRY} } }`, {}, dave)).data!.finishReading;
        assert.equal(readBefore.status, "FINISHED");

        const shelved = ok(await call(`mutation { addToShelf(bookId: "7") { addedAt book { id title } } }`, {}, dave));
        assert.equal(shelved.data!.addToShelf.book.id, "7");
        ok(await call(`mutation { addToShelf(bookId: "7") { addedAt } }`, {}, dave));
      });
      assert.deepEqual(
        events.map((event) => `${event.type}:${event.bookId}`),
        ["START_READING:5", "FINISH_READING:5", "FINISH_READING:6", "SHELVE:7"],
      );
      assert.ok(events.every((event) => event.userId === dave && event.value === null));

      ok(await call(`mutation { addToShelf(bookId: "8") { addedAt } }`, {}, dave));
      const mine = ok(await call(`{ me {
        readingHistory(first: 10) { totalCount edges { node { status book { id } } } }
        shelf(first: 1) { totalCount pageInfo { hasNextPage } edges { node { book { id title } } } } } }`, {}, dave)).data!.me;
      assert.deepEqual(mine.readingHistory.edges.map((edge: any) => `${edge.node.book.id}:${edge.node.status}`), ["6:FINISHED", "5:FINISHED"]);
      assert.equal(mine.shelf.totalCount, 2);
      assert.equal(mine.shelf.edges[0].node.book.id, "8", "most recently shelved first");
      assert.equal(mine.shelf.pageInfo.hasNextPage, true);

      assert.equal(ok(await call(`mutation { removeFromShelf(bookId: "8") }`, {}, dave)).data!.removeFromShelf, true);
      assert.equal(ok(await call(`mutation { removeFromShelf(bookId: "8") }`, {}, dave)).data!.removeFromShelf, false);

      const snooping = await call(`{ user(id: "${dave}") { readingHistory { totalCount } shelf { totalCount } } }`, {}, dave + 1);
      assert.deepEqual(errorCodes(snooping), ["FORBIDDEN", "FORBIDDEN"]);
      const admin = ok(await call(`{ user(id: "${dave}") { shelf { totalCount } } }`, {}, 1, "ADMIN"));
      assert.equal(admin.data!.user.shelf.totalCount, 1);
      const unknownBook = await call(`mutation { addToShelf(bookId: "987654") { addedAt } }`, {}, dave);
      assert.deepEqual(errorCodes(unknownBook), ["NOT_FOUND"]);
    });

    it("records book views as interactions", async () => {
      const erin = 15;
      const events = await captureInteractions(running.runtime, 1, async () => {
        assert.equal(ok(await call(`mutation { recordBookView(bookId: "9") }`, {}, erin)).data!.recordBookView, true);
      });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, "VIEW");
      assert.equal(events[0]!.bookId, 9);
      const stored = await running.runtime.db.prisma.interaction.findFirst({ where: { userId: erin, bookId: 9, type: "VIEW" }, orderBy: { id: "desc" } });
      assert.equal(stored?.occurredAt.toISOString(), events[0]!.occurredAt);
      const anonymous = await call(`mutation { recordBookView(bookId: "9") }`, {});
      assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"]);
    });

    it("follows users and shows their recent ratings and reviews in the feed, to the follower only", async () => {
      const prisma = running.runtime.db.prisma;
      const [frank, grace, heidi] = [20, 21, 22];
      await prisma.follow.deleteMany({ where: { OR: [{ followerId: frank }, { followeeId: { in: [grace, heidi] } }] } });
      await prisma.rating.deleteMany({ where: { userId: { in: [grace, heidi] } } });
      await prisma.review.deleteMany({ where: { userId: { in: [grace, heidi] } } });

      assert.deepEqual(errorCodes(await call(`mutation { follow(userId: "${frank}") { id } }`, {}, frank)), ["BAD_USER_INPUT"]);
      assert.deepEqual(errorCodes(await call(`mutation { follow(userId: "99999") { id } }`, {}, frank)), ["NOT_FOUND"]);
      const followed = ok(await call(`mutation { follow(userId: "${grace}") { id displayName } }`, {}, frank));
      assert.equal(followed.data!.follow.id, String(grace));
      ok(await call(`mutation { follow(userId: "${grace}") { id } }`, {}, frank));
      ok(await call(`mutation { follow(userId: "${heidi}") { id } }`, {}, frank));

      const graph = ok(await call(`{ user(id: "${frank}") { following(first: 5) { totalCount edges { node { id } } } }
        grace: user(id: "${grace}") { followers { totalCount edges { node { id displayName } } } } }`, {})).data!;
      assert.deepEqual(graph.user.following.edges.map((edge: any) => edge.node.id), [String(heidi), String(grace)]);
      assert.equal(graph.grace.followers.totalCount, 1);
      assert.equal(graph.grace.followers.edges[0].node.id, String(frank));

      ok(await call(`mutation { rateBook(bookId: "10", rating: 3) { id } }`, {}, grace));
      ok(await call(WRITE, { bookId: "11", text: "Heidi's pick", rating: 5 }, heidi));
      ok(await call(`mutation { rateBook(bookId: "12", rating: 4) { id } }`, {}, grace));

      const FEED = `query($after: String) { me { feed(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { type rating occurredAt user { id } book { id title } review { text } } } } } }`;
      const feed = ok(await call(FEED, {}, frank)).data!.me.feed;
      assert.equal(feed.totalCount, 3, "a review's own rating is not listed twice");
      assert.deepEqual(
        feed.edges.map((edge: any) => [edge.node.type, edge.node.user.id, edge.node.book.id, edge.node.rating]),
        [["RATING", String(grace), "12", 4], ["REVIEW", String(heidi), "11", 5]],
      );
      assert.equal(feed.edges[1].node.review.text, "Heidi's pick");
      assert.ok(feed.edges[0].node.book.title.length > 0);
      const rest = ok(await call(FEED, { after: feed.pageInfo.endCursor }, frank)).data!.me.feed;
      assert.deepEqual(rest.edges.map((edge: any) => edge.node.book.id), ["10"]);
      assert.equal(rest.pageInfo.hasNextPage, false);

      const snooping = await call(`{ user(id: "${frank}") { feed { totalCount } } }`, {}, grace);
      assert.deepEqual(errorCodes(snooping), ["FORBIDDEN"]);
      const admin = await call(`{ user(id: "${frank}") { feed { totalCount } } }`, {}, 1, "ADMIN");
      assert.deepEqual(errorCodes(admin), ["FORBIDDEN"], "a feed is the reader's own, not even administrators see it");

      assert.equal(ok(await call(`mutation { unfollow(userId: "${grace}") }`, {}, frank)).data!.unfollow, true);
      assert.equal(ok(await call(`mutation { unfollow(userId: "${grace}") }`, {}, frank)).data!.unfollow, false);
      const after = ok(await call(FEED, {}, frank)).data!.me.feed;
      assert.equal(after.totalCount, 1);
      assert.equal(after.edges[0].node.user.id, String(heidi));
    });
  });
}
