import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { signAccessToken } from "../lib/auth/tokens.ts";
import { runningExperimentsCacheKeys } from "../lib/experiments/serving-variants.ts";
import { variantCounts, variantCountsFromEvents } from "../subgraphs/experiments/results-query.ts";
import { recommendationEngineOf } from "../subgraphs/recommendations/subgraph.ts";
import { databaseTargets } from "./support/databases.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";
import { trainTestModels, type TrainedModels } from "./support/trained-models.ts";
import { until } from "./support/eventually.ts";

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateExperimentInput!) {
    createExperiment(input: $input) { key status surface trafficPercent variants { key weight strategy modelVersion config } }
  }
`;
const START = `mutation Start($key: String!) { startExperiment(key: $key) { key status startedAt } }`;
const UPDATE = `mutation Update($key: String!, $input: UpdateExperimentInput!) { updateExperiment(key: $key, input: $input) { key trafficPercent variants { key weight } } }`;
const MY_LIST = `{ me { recommendations(limit: 8) { book { id } algorithm source listId experiment { key } variant } } }`;
const MY_ASSIGNMENT = `{ me { assignment(experimentKey: "rec-strategy") { variant { key strategy } assignedAt } experiments { experiment { key } variant { key } } } }`;
const TRACK = `mutation Track($input: TrackEventInput!) { trackEvent(input: $input) }`;
const TRACK_MANY = `mutation TrackMany($inputs: [TrackEventInput!]!) { trackEvents(inputs: $inputs) }`;
const RESULTS = /* GraphQL */ `
  query Results($key: String!) {
    experiment(key: $key) {
      status
      results {
        variants { variant { key } users exposures events { type count } ctr { value low high } conversion { value low high } lift { value low high } pValue }
        sampleRatioMismatch { pValue flagged }
      }
    }
  }
`;

type Item = { book: { id: string }; algorithm: string; source: string; listId: string; experiment: { key: string } | null; variant: string | null };

const ok = (result: GraphQLResult) => {
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data!;
};

/** The README's experiment workflow, block by block, as a reader would paste it. */
const readmeWorkflow = () =>
  [...readFileSync(new URL("../README.md", import.meta.url), "utf8").matchAll(/```graphql workflow\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());

const fieldOf = (result: GraphQLResult) => result.errors?.[0]?.extensions?.field;


for (const target of databaseTargets()) {
  describe(`experiments through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let models: TrainedModels;
    let url: string;
    let admin: string;
    let readers: number[];
    const tokenFor = (userId: number) => signAccessToken(running.runtime.config, { userId, role: "READER" });
    const firstSeen = new Map<number, string>();

    before(async () => {
      running = await startTestSupergraph(target, { books: 200, users: 150, seed: 11 });
      url = running.gatewayUrl;
      const engine = recommendationEngineOf(running.runtime);
      models = await trainTestModels(running.runtime);
      await until(() => (["als", "item-cf", "content", "popularity", "hybrid"].every((name) => name in engine.models.versions()) ? true : undefined), 15_000, "models to load");
      admin = await signAccessToken(running.runtime.config, { userId: 1, role: "ADMIN" });
      const rows = await running.runtime.db.prisma.$queryRaw<{ user_id: number }[]>`
        SELECT user_id FROM ratings GROUP BY user_id HAVING count(*) >= 5 ORDER BY user_id LIMIT 24`;
      readers = rows.map((row) => row.user_id);
    });
    after(async () => {
      await running?.stop();
      await models?.remove();
    });

    it("lets only administrators create experiments, and names the bad field", async () => {
      const input = {
        key: "rec-strategy",
        description: "Popularity baseline against matrix factorisation",
        surface: "USER_RECOMMENDATIONS",
        trafficPercent: 50,
        variants: [
          { key: "control", weight: 1, strategy: "POPULARITY" },
          { key: "als", weight: 1, strategy: "CF" },
        ],
        targeting: {},
        primaryMetric: "CTR",
        guardrailMetrics: ["CONVERSION"],
      };
      assert.deepEqual(errorCodes(await graphql(url, CREATE, { variables: { input } })), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await graphql(url, CREATE, { variables: { input }, token: await tokenFor(readers[0]!) })), ["FORBIDDEN"]);

      const bad: [Record<string, unknown>, string][] = [
        [{ ...input, variants: [input.variants[0], { ...input.variants[1], weight: 0 }] }, "input.variants[1].weight"],
        [{ ...input, variants: [input.variants[0], { ...input.variants[1], key: "control" }] }, "input.variants[1].key"],
        [{ ...input, variants: [input.variants[0]] }, "input.variants"],
        [{ ...input, trafficPercent: 101 }, "input.trafficPercent"],
        [{ ...input, key: "Not A Key" }, "input.key"],
        [{ ...input, targeting: { countries: ["France"] } }, "input.targeting.countries"],
        [{ ...input, variants: [input.variants[0], { ...input.variants[1], modelVersion: 999 }] }, "input.variants[1].modelVersion"],
      ];
      for (const [variables, field] of bad) {
        const result = await graphql(url, CREATE, { variables: { input: variables }, token: admin });
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], `${field}: ${JSON.stringify(result.errors)}`);
        assert.equal(fieldOf(result), field);
      }
      const unknownStrategy = await graphql(url, CREATE, { variables: { input: { ...input, variants: [input.variants[0], { ...input.variants[1], strategy: "MAGIC" }] } }, token: admin });
      assert.deepEqual(errorCodes(unknownStrategy), ["BAD_USER_INPUT"]);
      assert.match(unknownStrategy.errors![0]!.message, /strategy/);

      const created = ok(await graphql(url, CREATE, { variables: { input }, token: admin })).createExperiment;
      assert.equal(created.status, "DRAFT");
      assert.deepEqual(created.variants.map((v: { key: string; strategy: string }) => [v.key, v.strategy]), [["control", "POPULARITY"], ["als", "CF"]]);
      const again = await graphql(url, CREATE, { variables: { input }, token: admin });
      assert.equal(fieldOf(again), "input.key");
    });

    it("starts it, refusing a second running experiment on the same surface and layer", async () => {
      assert.equal(ok(await graphql(url, START, { variables: { key: "rec-strategy" }, token: admin })).startExperiment.status, "RUNNING");
      const rival = {
        key: "rival",
        surface: "USER_RECOMMENDATIONS",
        variants: [
          { key: "a", weight: 1, strategy: "HYBRID" },
          { key: "b", weight: 1, strategy: "CONTENT" },
        ],
      };
      ok(await graphql(url, CREATE, { variables: { input: rival }, token: admin }));
      const clash = await graphql(url, START, { variables: { key: "rival" }, token: admin });
      assert.deepEqual(errorCodes(clash), ["BAD_USER_INPUT"]);
      assert.equal(fieldOf(clash), "layer");
      const weights = await graphql(url, UPDATE, { variables: { key: "rec-strategy", input: { variants: rival.variants } }, token: admin });
      assert.equal(fieldOf(weights), "input.variants");
      const shrink = await graphql(url, UPDATE, { variables: { key: "rec-strategy", input: { trafficPercent: 10 } }, token: admin });
      assert.equal(fieldOf(shrink), "input.trafficPercent");
    });

    it("serves each reader their variant's strategy, stamped on every item and agreeing with their assignment", async () => {
      const seen = new Set<string>();
      for (const reader of readers) {
        const token = await tokenFor(reader);
        const items = ok(await graphql(url, MY_LIST, { token })).me.recommendations as Item[];
        assert.ok(items.length > 0);
        const variants = new Set(items.map((item) => item.variant));
        const listIds = new Set(items.map((item) => item.listId));
        assert.equal(variants.size, 1, "one list, one variant");
        assert.equal(listIds.size, 1, "one list, one id");
        const variant = items[0]!.variant;
        const assignment = ok(await graphql(url, MY_ASSIGNMENT, { token })).me.assignment;
        if (variant === null) {
          // Outside the 50% traffic: the default list, and no assignment.
          assert.equal(assignment, null);
          assert.ok(items.every((item) => item.experiment === null));
          continue;
        }
        seen.add(variant);
        firstSeen.set(reader, variant);
        assert.equal(assignment.variant.key, variant);
        assert.ok(items.every((item) => item.experiment?.key === "rec-strategy"));
        if (variant === "control") assert.ok(items.every((item) => item.algorithm === "popularity"), `control serves popularity: ${items[0]!.algorithm}`);
        else assert.ok(items.every((item) => /als/.test(item.algorithm)), `the als arm serves matrix factorisation: ${items[0]!.algorithm}`);
      }
      assert.deepEqual([...seen].sort(), ["als", "control"], "both variants served");
      assert.ok(firstSeen.size < readers.length, "some readers are outside the 50% traffic");
    });

    it("keeps exposed readers in their variant across requests, traffic growth and weight changes", async () => {
      ok(await graphql(url, UPDATE, { variables: { key: "rec-strategy", input: { trafficPercent: 100 } }, token: admin }));
      // A weight change made behind the API's back (the API refuses it while running) must not move anyone either.
      const experiment = await running.runtime.db.prisma.experiment.findUniqueOrThrow({ where: { key: "rec-strategy" }, include: { variants: true } });
      await running.runtime.db.prisma.experimentVariant.update({ where: { id: experiment.variants.find((v) => v.key === "control")!.id }, data: { weight: 99 } });
      await running.runtime.cache.delete(...runningExperimentsCacheKeys());
      let newcomers = 0;
      for (const reader of readers) {
        const items = ok(await graphql(url, MY_LIST, { token: await tokenFor(reader) })).me.recommendations as Item[];
        const before = firstSeen.get(reader);
        if (before) assert.equal(items[0]!.variant, before, `reader ${reader} stays in ${before}`);
        else {
          assert.notEqual(items[0]!.variant, null, "with 100% traffic everyone enters");
          newcomers += 1;
        }
      }
      assert.ok(newcomers > 0);
    });

    it("attributes readers' clicks to the variant that served the list, counting duplicates once", async () => {
      const clicks = new Map<string, number>();
      for (const reader of readers.slice(0, 12)) {
        const token = await tokenFor(reader);
        const items = ok(await graphql(url, MY_LIST, { token })).me.recommendations as Item[];
        const [first, second] = items;
        const impressions = items.map((item) => ({ type: "IMPRESSION", bookId: item.book.id, listId: item.listId }));
        assert.equal(ok(await graphql(url, TRACK_MANY, { variables: { inputs: [...impressions, impressions[0]] }, token })).trackEvents, items.length);
        assert.equal(ok(await graphql(url, TRACK, { variables: { input: { type: "CLICK", bookId: first!.book.id, listId: first!.listId } }, token })).trackEvent, true);
        assert.equal(ok(await graphql(url, TRACK, { variables: { input: { type: "CLICK", bookId: first!.book.id, listId: first!.listId } }, token })).trackEvent, false, "a double tap counts once");
        assert.equal(ok(await graphql(url, TRACK, { variables: { input: { type: "ADD_TO_SHELF", bookId: second!.book.id, listId: second!.listId } }, token })).trackEvent, true);
        clicks.set(first!.variant!, (clicks.get(first!.variant!) ?? 0) + 1);
      }
      const token = await tokenFor(readers[0]!);
      const items = ok(await graphql(url, MY_LIST, { token })).me.recommendations as Item[];
      const notInList = await running.runtime.db.prisma.book.findFirstOrThrow({ where: { id: { notIn: items.map((item) => Number(item.book.id)) } } });
      const bad: [Record<string, unknown>, string][] = [
        [{ type: "CLICK", bookId: items[0]!.book.id, listId: "not-a-list" }, "input.listId"],
        [{ type: "CLICK", bookId: "x", listId: items[0]!.listId }, "input.bookId"],
        [{ type: "CLICK", bookId: "999999", listId: items[0]!.listId }, "input.bookId"],
        [{ type: "CLICK", bookId: String(notInList.id), listId: items[0]!.listId }, "input.bookId"],
      ];
      for (const [input, field] of bad) {
        const result = await graphql(url, TRACK, { variables: { input }, token });
        assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], JSON.stringify(result.errors));
        assert.equal(fieldOf(result), field);
      }
      const someoneElse = await graphql(url, TRACK, { variables: { input: { type: "CLICK", bookId: items[0]!.book.id, listId: items[0]!.listId } }, token: await tokenFor(readers[1]!) });
      assert.equal(fieldOf(someoneElse), "input.listId", "a reader cannot click on another reader's list");
      assert.deepEqual(errorCodes(await graphql(url, TRACK, { variables: { input: { type: "CLICK", bookId: items[0]!.book.id, listId: items[0]!.listId } } })), ["UNAUTHENTICATED"]);

      assert.deepEqual(errorCodes(await graphql(url, RESULTS, { variables: { key: "rec-strategy" }, token })), ["FORBIDDEN"]);
      const results = ok(await graphql(url, RESULTS, { variables: { key: "rec-strategy" }, token: admin })).experiment.results;
      const byKey = new Map<string, any>(results.variants.map((v: { variant: { key: string } }) => [v.variant.key, v]));
      assert.deepEqual([...byKey.keys()], ["control", "als"]);
      const assigned = await running.runtime.db.prisma.experimentAssignment.groupBy({ by: ["variantId"], _count: true });
      assert.equal(
        results.variants.reduce((sum: number, v: { users: number }) => sum + v.users, 0),
        assigned.reduce((sum, row) => sum + row._count, 0),
      );
      for (const [key, variant] of byKey) {
        const counted = variant.events.find((event: { type: string }) => event.type === "CLICK").count;
        assert.equal(counted, clicks.get(key) ?? 0, `${key}'s clicks`);
        assert.ok(variant.exposures >= variant.users, "every assigned reader was served at least once");
        if (clicks.get(key)) assert.ok(variant.ctr.low <= variant.ctr.value && variant.ctr.value <= variant.ctr.high);
      }
      assert.equal(byKey.get("control")!.lift, null);
      // The per-reader counters results read agree with a recount of the raw events.
      const experimentId = (await running.runtime.db.prisma.experiment.findUniqueOrThrow({ where: { key: "rec-strategy" } })).id;
      assert.deepEqual(await variantCounts(running.runtime.db.prisma, experimentId), await variantCountsFromEvents(running.runtime.db.prisma, experimentId));
      assert.equal(typeof results.sampleRatioMismatch.pValue, "number");
    });
    it("serves a book's similar books by the signed-in viewer's variant on the SIMILAR_BOOKS surface", async () => {
      const input = {
        key: "similar-books",
        surface: "SIMILAR_BOOKS",
        variants: [
          { key: "content", weight: 1, strategy: "CONTENT" },
          { key: "popular", weight: 1, strategy: "POPULARITY" },
        ],
      };
      ok(await graphql(url, CREATE, { variables: { input }, token: admin }));
      ok(await graphql(url, START, { variables: { key: "similar-books" }, token: admin }));
      const [book] = await running.runtime.db.prisma.$queryRaw<{ book_id: number }[]>`
        SELECT book_id FROM ratings GROUP BY book_id ORDER BY count(*) DESC, book_id LIMIT 1`;
      const SIMILAR = `query($id: ID!) { book(id: $id) { similar(limit: 5) { book { id } algorithm listId experiment { key } variant } } }`;
      const anonymous = ok(await graphql(url, SIMILAR, { variables: { id: String(book!.book_id) } })).book.similar as Item[];
      assert.ok(anonymous.every((item) => item.variant === null && item.experiment === null), "no viewer, no experiment");
      const seen = new Set<string>();
      for (const reader of readers.slice(0, 12)) {
        const token = await tokenFor(reader);
        const items = ok(await graphql(url, SIMILAR, { variables: { id: String(book!.book_id) }, token })).book.similar as Item[];
        const variant = items[0]!.variant!;
        assert.ok(items.every((item) => item.variant === variant && item.experiment?.key === "similar-books"));
        seen.add(variant);
        if (variant === "popular") assert.ok(items.every((item) => item.algorithm === "popularity"));
        else assert.ok(items.every((item) => /content/.test(item.algorithm)), items[0]!.algorithm);
        const assignment = ok(await graphql(url, `{ me { assignment(experimentKey: "similar-books") { variant { key } } } }`, { token })).me.assignment;
        assert.equal(assignment.variant.key, variant);
      }
      assert.deepEqual([...seen].sort(), ["content", "popular"]);
      ok(await graphql(url, `mutation { completeExperiment(key: "similar-books") { status } }`, { token: admin }));
    });

    it("runs the README's workflow as written: create, start, read, click, assignment, results", async () => {
      ok(await graphql(url, `mutation { completeExperiment(key: "rec-strategy") { status } }`, { token: admin }));
      const [create, start, read, click, assignment, results] = readmeWorkflow();
      assert.ok(results, "the README shows the whole workflow");
      assert.equal(ok(await graphql(url, create!, { token: admin })).createExperiment.status, "DRAFT");
      assert.equal(ok(await graphql(url, start!, { token: admin })).startExperiment.status, "RUNNING");
      let clicked = false;
      for (const reader of readers) {
        const token = await tokenFor(reader);
        const items = ok(await graphql(url, read!, { token })).me.recommendations as Item[];
        if (items[0]?.variant === null) continue;
        assert.equal(items[0]!.experiment!.key, "popularity-vs-als");
        assert.equal(ok(await graphql(url, click!, { token, variables: { bookId: items[0]!.book.id, listId: items[0]!.listId } })).trackEvent, true);
        assert.equal(ok(await graphql(url, assignment!, { token })).me.assignment.variant.key, items[0]!.variant);
        clicked = true;
        break;
      }
      assert.ok(clicked, "some reader is in the README's experiment");
      const variants = ok(await graphql(url, results!, { token: admin })).experiment.results.variants;
      assert.equal(variants.reduce((sum: number, v: { events: { type: string; count: number }[] }) => sum + v.events.find((e) => e.type === "CLICK")!.count, 0), 1);
    });
  });
}
