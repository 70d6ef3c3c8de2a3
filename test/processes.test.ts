import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { applyMigrations } from "../lib/db/migrate.ts";
import { seedDemoData } from "../prisma/seed/index.ts";
import { createPostgresDatabase, type TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { errorCodes, graphql } from "./support/graphql-client.ts";
import { embeddedPortEnv } from "./support/ports.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "./support/processes.ts";
import { redisNamespace } from "./support/redis-namespace.ts";

const FLAGSHIP = `{ book(id: "1") { id title authors { name } similar(limit: 3) { book { title } score } } }`;
const SIMILAR_PROVENANCE = `{ book(id: "1") { similar(limit: 3) { source algorithm modelVersion } } }`;
type Provenance = { source: string; algorithm: string; modelVersion: number | null };

describe("npm start: the embedded single process", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "shelfgraph-embedded-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("migrates, seeds and answers from the first-start models, swaps in the full set, and a restart redoes none of it", async () => {
    // NODE_ENV as `npm start` has it: libraries behave differently under "test" (Apollo installs signal handlers outside it).
    const env = { ...(await embeddedPortEnv()), NODE_ENV: "development", PGLITE_DATA_DIR: dataDir, SEED_BOOKS: "200", SEED_USERS: "100", SEED_RANDOM_SEED: "3" };
    const gatewayUrl = `http://localhost:${env.GATEWAY_PORT}/graphql`;

    const first = startServiceProcess("start.ts", env);
    try {
      await first.waitForLine(logMessage("Shelfgraph is ready"));
      assert.ok(first.lines.some(logMessage("empty database: generating demo data")));
      assert.ok(first.lines.some(logMessage("first-start models trained")));
      const answer = await graphql(gatewayUrl, FLAGSHIP);
      assert.equal(answer.errors, undefined);
      assert.ok(answer.data!.book.similar.length > 0);
      const title = answer.data!.book.title;
      // The quick set answers first: model-driven, version 1 of a hybrid without the heavy models.
      const firstStart = ((await graphql(gatewayUrl, SIMILAR_PROVENANCE)).data!.book.similar as Provenance[])[0]!;
      assert.match(firstStart.source, /^(MODEL|MODEL_BLENDED|CACHE)$/, "computed by the model (or its cached answer)");
      assert.equal(firstStart.modelVersion, 1);
      assert.match(firstStart.algorithm, /^hybrid\(/);
      assert.doesNotMatch(firstStart.algorithm, /als|ease/);

      // The full run (on a worker thread) replaces every first-start model and serving follows.
      await first.waitForLine(logMessage("full models trained; the first-start set is replaced"), 300_000);
      const full = await eventually(
        async () => ((await graphql(gatewayUrl, SIMILAR_PROVENANCE)).data?.book.similar as Provenance[] | undefined)?.[0],
        (item) => item?.modelVersion === 2,
        60_000,
        250,
      );
      assert.match(full?.source ?? "", /^(MODEL|MODEL_BLENDED|CACHE)$/);
      assert.equal(full?.modelVersion, 2, `the full set's hybrid serves; log:\n${first.lines.filter((l) => /model|generation/.test(l)).join("\n")}`);
      assert.equal(await first.stop(), 0, "SIGTERM shuts down cleanly");
      assert.ok(first.lines.some(logMessage("stopped")), "the last log lines are flushed before exit");

      const second = startServiceProcess("start.ts", env);
      try {
        const ready = await second.waitForLine(logMessage("database schema is current"));
        assert.deepEqual(JSON.parse(ready).applied, [], "no migration is applied twice");
        await second.waitForLine(logMessage("Shelfgraph is ready"));
        assert.ok(!second.lines.some(logMessage("empty database: generating demo data")), "no reseed");
        assert.ok(!second.lines.some((line) => /first-start set|full model set/.test(line)), "a full set in production: no training at all");
        const again = await graphql(gatewayUrl, FLAGSHIP);
        assert.equal(again.data!.book.title, title);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });

  it("fails its start and exits when a subgraph's port is taken, though its gateway thread was already being built", async () => {
    const env = { ...(await embeddedPortEnv()), NODE_ENV: "development", PGLITE_DATA_DIR: dataDir, SEED_BOOKS: "200", SEED_USERS: "100", SEED_RANDOM_SEED: "3" };
    // The last subgraph to start finds its port taken: by then the gateway thread is well under way.
    const taken = createServer().listen(Number(env.EXPERIMENTS_PORT), "127.0.0.1");
    await once(taken, "listening");
    try {
      const started = startServiceProcess("start.ts", env);
      assert.equal(await started.exit(), 1);
      const failure = started.lines.find(logMessage("failed to start"));
      assert.match(failure ?? "", /EADDRINUSE/, started.lines.join("\n"));
      assert.ok(!started.lines.some(logMessage("gateway listening")), "the gateway never opened its port");
      await assert.rejects(fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/health/live`), "nothing is left listening on the gateway's port");
    } finally {
      taken.close();
    }
  });

  it("refuses to start on invalid configuration, naming the variable", async () => {
    const broken = startServiceProcess("start.ts", { GATEWAY_PORT: "not-a-port", PGLITE_DATA_DIR: dataDir });
    assert.equal(await broken.exit(), 1);
    assert.ok(broken.lines.some((line) => /GATEWAY_PORT: .*"not-a-port"/.test(line)), broken.lines.join("\n"));
  });
});

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe("npm start on a fresh PostgreSQL database", { skip: !serverUrl ? "needs DATABASE_URL" : false }, () => {
  let database: TestDatabase | undefined;
  after(async () => database?.drop());

  it("generates the demo data while it migrates, trains the first-start set from it in memory, and answers from those models", async () => {
    database = await createPostgresDatabase(serverUrl!);
    const env = { ...(await embeddedPortEnv()), ...database.env, NODE_ENV: "development", SEED_BOOKS: "200", SEED_USERS: "100", SEED_RANDOM_SEED: "4" };
    const started = startServiceProcess("start.ts", env);
    try {
      await started.waitForLine(logMessage("Shelfgraph is ready"));
      const seeded = started.lines.find(logMessage("generated demo data"));
      assert.equal(JSON.parse(seeded ?? "{}").onWorkerThread, true, "generated on a worker thread, not after the migrations");
      const trained = started.lines.find(logMessage("first-start models trained"));
      assert.equal(JSON.parse(trained ?? "{}").fromMemory, true, "trained alongside the writes from the generated data");
      const first = ((await graphql(`http://localhost:${env.GATEWAY_PORT}/graphql`, SIMILAR_PROVENANCE)).data!.book.similar as Provenance[])[0]!;
      assert.match(first.source, /^(MODEL|MODEL_BLENDED|CACHE)$/);
      assert.equal(first.modelVersion, 1);
    } finally {
      await started.stop();
    }
  });
});

describe("a supergraph whose gateway cannot start", () => {
  it("closes what it had opened, so its process ends by itself", async () => {
    const child = startServiceProcess("test/support/failed-start.ts", { DATABASE_URL: serverUrl, REDIS_URL: redisUrl });
    await child.waitForLine((line) => line.startsWith("start failed: "), 60_000);
    // A waiting limit, not a timing assert: an open Redis client or pool keeps the process alive for good.
    const exited = await Promise.race([child.exit(), sleep(30_000).then(() => "still running" as const)]);
    if (exited === "still running") await child.stop();
    assert.equal(exited, 0, "the process ended by itself after the failed start");
  });
});

describe("each service as its own process on PostgreSQL and Redis", { skip: !serverUrl || !redisUrl ? "needs DATABASE_URL and REDIS_URL" : false }, () => {
  let database: TestDatabase;
  const services: ServiceProcess[] = [];
  const namespace = redisNamespace(redisUrl, "test");
  after(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await namespace.drop();
    await database?.drop();
  });

  it("serves the flagship query through a gateway that finds the subgraphs by URL", async () => {
    database = await createPostgresDatabase(serverUrl!);
    await applyMigrations(database.db);
    await seedDemoData(database.db, { books: 200, users: 100, seed: 5 });
    const ports = await embeddedPortEnv();
    const shared = { ...database.env, REDIS_URL: redisUrl, ...namespace.env, ...ports };
    for (const name of ["users", "books", "recommendations", "experiments"]) {
      services.push(startServiceProcess(`subgraphs/${name}/main.ts`, shared));
    }
    await Promise.all(services.map((service) => service.waitForLine(logMessage("subgraph listening"))));
    const gateway = startServiceProcess("gateway/main.ts", {
      GATEWAY_PORT: ports.GATEWAY_PORT,
      ...namespace.env,
      USERS_URL: `http://127.0.0.1:${ports.USERS_PORT}/graphql`,
      BOOKS_URL: `http://127.0.0.1:${ports.BOOKS_PORT}/graphql`,
      RECOMMENDATIONS_URL: `http://127.0.0.1:${ports.RECOMMENDATIONS_PORT}/graphql`,
      EXPERIMENTS_URL: `http://127.0.0.1:${ports.EXPERIMENTS_PORT}/graphql`,
    });
    services.push(gateway);
    await gateway.waitForLine(logMessage("gateway listening"));

    const gatewayUrl = `http://localhost:${ports.GATEWAY_PORT}/graphql`;
    const answer = await graphql(gatewayUrl, FLAGSHIP);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.ok(answer.data!.book.similar.length > 0);

    const ready = await fetch(`http://localhost:${ports.BOOKS_PORT}/health/ready`);
    assert.equal(ready.status, 200);

    // Taking the books process down leaves the rest of the graph answering.
    await services[1]!.stop();
    const partial = await graphql(gatewayUrl, `{ experiments { key } book(id: "1") { title } }`);
    assert.ok(Array.isArray(partial.data!.experiments));
    assert.equal(partial.data!.book, null);
    assert.deepEqual(errorCodes(partial), ["SERVICE_UNAVAILABLE"]);
  });
});
