import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { readerReferences } from "../lib/privacy/reader-references.ts";
import { INTERACTIONS_STREAM } from "../lib/stream/index.ts";
import { extractFromDatabase } from "../ml-models/extract/database.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, untilProductionServed, type TrainedModels } from "./support/trained-models.ts";
import { until } from "./support/eventually.ts";


for (const target of databaseTargets()) {
  describe(`a reader's data: export and erasure through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let models: TrainedModels;
    let url: string;

    before(async () => {
      running = await startTestSupergraph(target, { books: 200, users: 150, seed: 17 });
      url = running.gatewayUrl;
      models = await trainTestModels(running.runtime);
      await untilProductionServed(running.runtime, 20_000);
    });
    after(async () => {
      await running?.stop();
      await models?.remove();
    });

    /** The readers named by every event the interaction stream still holds, read by a group created now (from its start). */
    async function readersOnStream(): Promise<number[]> {
      const readers: number[] = [];
      const audit = running.runtime.stream.consume({
        stream: INTERACTIONS_STREAM,
        group: `audit-${randomUUID()}`,
        consumer: "audit",
        handle: async (message) => void readers.push((message.payload as { userId: number }).userId),
      });
      let last = -1;
      await until(async () => {
        if (readers.length === last) return true;
        last = readers.length;
        await new Promise((resolve) => setTimeout(resolve, 500));
        return undefined;
      }, 30_000, "the audit group to read the stream");
      await audit.stop();
      return readers;
    }

    /** A trained reader, renamed to unique markers, who then does everything a reader can. */
    async function activeReader() {
      const prisma = running.runtime.db.prisma;
      const engine = recommendationEngineOf(running.runtime);
      const als = engine.models.lease("als")!;
      const [row] = await prisma.$queryRaw<{ user_id: number }[]>`
        SELECT user_id FROM ratings WHERE user_id = ANY(${[...als.userIndex.keys()]}::int[])
        GROUP BY user_id HAVING count(*) >= 5 ORDER BY count(*) DESC, user_id LIMIT 1 OFFSET ${Math.floor(Math.random() * 5)}`;
      als.release();
      const id = row!.user_id;
      const marker = randomUUID();
      await prisma.user.update({ where: { id }, data: { displayName: `Marker Name ${marker}`, email: `marker-${marker}@example.com` } });
      const token = await signAccessToken(running.runtime.config, { userId: id, role: "READER" });
      const other = await prisma.user.findFirstOrThrow({ where: { id: { not: id } }, select: { id: true } });
      const otherToken = await signAccessToken(running.runtime.config, { userId: other.id, role: "READER" });
      const [book] = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM books WHERE id NOT IN (SELECT book_id FROM reviews WHERE user_id = ${id}) ORDER BY id LIMIT 1`;
      const genre = await prisma.genre.findFirstOrThrow({ select: { id: true } });
      const ok = async (query: string, variables: Record<string, unknown> = {}, as = token) => {
        const result = await graphql(url, query, { token: as, variables });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        return result.data!;
      };
      await ok(`mutation($b: ID!, $t: String!) { writeReview(bookId: $b, text: $t, rating: 4) { id } }`, { b: String(book!.id), t: `Review text ${marker}` });
      await ok(`mutation($b: ID!) { addToShelf(bookId: $b) { addedAt } }`, { b: String(book!.id + 1) });
      await ok(`mutation($b: ID!) { startReading(bookId: $b) { status } }`, { b: String(book!.id + 2) });
      await ok(`mutation($b: ID!) { recordBookView(bookId: $b) }`, { b: String(book!.id + 3) });
      await ok(`mutation($g: [ID!]!) { setPreferences(genreIds: $g, authorIds: []) { __typename } }`, { g: [String(genre.id)] });
      await ok(`mutation($u: ID!) { follow(userId: $u) { id } }`, { u: String(other.id) });
      await ok(`mutation($u: ID!) { follow(userId: $u) { id } }`, { u: String(id) }, otherToken);
      // An experiment they take part in, with an event.
      const experiment = await prisma.experiment.create({
        data: { key: `exp-${randomUUID()}`, name: "Erasure test", status: "RUNNING", variants: { create: [{ key: "control", name: "Control" }] } },
        include: { variants: true },
      });
      await prisma.experimentAssignment.create({ data: { experimentId: experiment.id, variantId: experiment.variants[0]!.id, userId: id } });
      await prisma.experimentEvent.create({ data: { experimentId: experiment.id, variantId: experiment.variants[0]!.id, userId: id, type: "click", bookId: book!.id } });
      // Personal lists: cached, logged, and the reader's vector folded in.
      await ok(`{ me { recommendations(limit: 5) { book { id } } } }`);
      await ok(`{ me { recommendations(limit: 5, strategy: CF) { book { id } } } }`);
      await until(async () => ((await prisma.recommendationLog.count({ where: { userId: id } })) > 0 ? true : undefined), 15_000, "the recommendation log");
      return { id, token, marker, other };
    }

    it("exports everything held about the signed-in reader as one JSON document", async () => {
      const { id, token, marker, other } = await activeReader();
      const anonymous = await graphql(url, `{ exportMyData }`);
      assert.deepEqual(errorCodes(anonymous), ["UNAUTHENTICATED"]);

      const result = await graphql(url, `{ exportMyData }`, { token });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const data = result.data!.exportMyData as Record<string, any>;
      assert.equal(data.format, "shelfgraph-export/1");
      assert.equal(data.profile.id, id);
      assert.equal(data.profile.email, `marker-${marker}@example.com`);
      assert.ok(data.ratings.length >= 5);
      assert.ok(data.reviews.some((review: { text: string }) => review.text === `Review text ${marker}`));
      for (const section of ["shelf", "history", "genrePreferences", "interactions", "assignments", "events", "recommendationsShown"]) {
        assert.ok(data[section]?.length >= 1, `${section} exported`);
      }
      assert.deepEqual(data.following.map((row: { followee_id: number }) => row.followee_id), [other.id]);
      assert.deepEqual(data.followers.map((row: { follower_id: number }) => row.follower_id), [other.id]);
      assert.ok(typeof data.books[String(data.ratings[0].book_id)] === "string", "books are named");
    });

    it("deletes the account so that no table, cache key or serving vector holds anything of the reader", async () => {
      const { id, token, marker } = await activeReader();
      const { runtime } = running;
      const engine = recommendationEngineOf(runtime);
      const cacheKeysOf = async () => (await runtime.cache.keys("*")).filter((key) => new RegExp(`(user|variant):${id}(:|$)`).test(key));
      assert.ok((await cacheKeysOf()).length > 0, "the reader has cached lists before");
      await runtime.outbox.flush();
      assert.ok((await readersOnStream()).includes(id), "the reader's interactions are on the durable stream before");

      const deleted = await graphql(url, `mutation { deleteMyAccount }`, { token });
      assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
      assert.equal(deleted.data!.deleteMyAccount, true);

      // Every column that can refer to a reader, found in the catalogs: a new table is checked without being listed here.
      const references = await runtime.db.withConnection((connection) => readerReferences(connection));
      const names = references.map((reference) => `${reference.table}.${reference.column}`);
      for (const known of ["ratings.user_id", "reviews.user_id", "follows.followee_id", "follows.follower_id", "experiment_assignments.user_id", "interactions.user_id", "recommendation_logs.user_id", "audit_logs.actor_id"]) {
        assert.ok(names.includes(known), `${known} is found by introspection`);
      }
      for (const reference of references) {
        const [row] = await runtime.db.withConnection((connection) =>
          connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${reference.table}" WHERE "${reference.column}"::text = $1`, [String(id)]),
        );
        assert.equal(row!.n, 0, `${reference.table}.${reference.column} still refers to reader ${id}`);
      }
      // And nothing they wrote or were called survives in any text or JSON column of any table.
      const textColumns = await runtime.db.withConnection((connection) =>
        connection.query<{ table: string; column: string }>(
          `SELECT c.table_name AS "table", c.column_name AS "column" FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
           WHERE c.table_schema = current_schema() AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')`,
        ),
      );
      assert.ok(textColumns.length > 10);
      for (const { table, column } of textColumns) {
        const [row] = await runtime.db.withConnection((connection) =>
          connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}"::text LIKE $1`, [`%${marker}%`]),
        );
        assert.equal(row!.n, 0, `${table}.${column} still holds the reader's name, email or words`);
      }
      // The one trace left: the record that an erasure happened (and what it removed), naming nobody.
      const audit = await runtime.db.prisma.auditLog.findFirstOrThrow({ where: { action: "account.deleted", entityId: String(id) } });
      assert.equal(audit.actorId, null);
      assert.ok((audit.after as { removed: Record<string, number> }).removed["ratings.user_id"]! >= 5);

      // The durable stream and the outbox hold no event of theirs, so no consumer acts on one later.
      const [outbox] = await runtime.db.withConnection((connection) =>
        connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE payload->>'userId' = $1`, [String(id)]),
      );
      assert.equal(outbox!.n, 0, "no outbox row of the reader");
      const onStream = await readersOnStream();
      assert.ok(!onStream.includes(id), "no stream entry of the reader");

      const isRateCounter = (key: string) => key.startsWith("rate:");
      assert.deepEqual((await cacheKeysOf()).filter((key) => !isRateCounter(key)), [], "no cache key of the reader is left");
      // The gateway drops the reader's rate-limit counters on USER_ERASED, just after the answer.
      await until(async () => ((await cacheKeysOf()).length === 0 ? true : undefined), 5000, "the reader's rate-limit counters to be dropped");
      await until(async () => {
        const als = engine.models.lease("als")!;
        try {
          return als.userIndex.has(id) ? undefined : true;
        } finally {
          als.release();
        }
      }, 3000, "the reader's vector to leave serving");

      const { dataset } = await extractFromDatabase(runtime.db);
      assert.ok(!dataset.userMap.index.has(id), "the next training run does not see the reader");

      const again = await graphql(url, `mutation { deleteMyAccount }`, { token });
      assert.deepEqual(errorCodes(again), ["NOT_FOUND"]);
      const me = await graphql(url, `{ me { id } }`, { token });
      assert.deepEqual(errorCodes(me), ["NOT_FOUND"]);
    });

    it("in anonymise mode keeps ratings and reviews under a placeholder account that training skips", async () => {
      const { id, token, marker } = await activeReader();
      const { runtime } = running;
      const ratingsBefore = await runtime.db.prisma.rating.count({ where: { userId: id } });
      (runtime.config as { ACCOUNT_DELETION_MODE: string }).ACCOUNT_DELETION_MODE = "anonymise";
      try {
        const deleted = await graphql(url, `mutation { deleteMyAccount }`, { token });
        assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
      } finally {
        (runtime.config as { ACCOUNT_DELETION_MODE: string }).ACCOUNT_DELETION_MODE = "delete";
      }
      const review = await runtime.db.prisma.review.findFirstOrThrow({ where: { text: `Review text ${marker}` }, include: { user: true } });
      assert.notEqual(review.userId, id);
      assert.equal(review.user.email, null);
      assert.equal(review.user.source, "erased");
      assert.equal(review.user.displayName, "Deleted reader");
      assert.equal(await runtime.db.prisma.rating.count({ where: { userId: review.userId } }), ratingsBefore, "every rating moves");
      assert.equal(await runtime.db.prisma.user.count({ where: { id } }), 0);
      assert.equal(await runtime.db.prisma.interaction.count({ where: { userId: id } }), 0);
      const { dataset } = await extractFromDatabase(runtime.db);
      assert.ok(!dataset.userMap.index.has(id) && !dataset.userMap.index.has(review.userId), "training sees neither the reader nor the placeholder");
    });
  });
}
