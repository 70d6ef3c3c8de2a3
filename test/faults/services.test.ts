import assert from "node:assert/strict";
import { appendFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { signAccessToken } from "../../lib/auth/tokens.ts";
import { loadConfig } from "../../lib/config.ts";
import { resolveArtifactPath } from "../../lib/models/artifact-format.ts";
import { logMessage } from "../support/processes.ts";
import { redisServerAvailable } from "../support/private-redis.ts";
import { postGraphQL, sleep, startLoad, summarise, type LoadRequest, type RunningLoad } from "./support/load.ts";
import { postgresServerAvailable } from "./support/private-postgres.ts";
import { modelsNamed } from "../support/algorithm-names.ts";
import { startFaultStack, type FaultStack } from "./support/stack.ts";

/**
 * Each fault of issue 16, injected under a steady signed-in load from 10 clients
 * against the services as separate processes on a private PostgreSQL and Redis.
 * What the clients see is asserted, not what the logs say.
 */
const CLIENTS = 10;
const FLAGSHIP = `query Flagship($id: ID!) {
  book(id: $id) { id title score similar(limit: 5) { book { id title score } score algorithm source } }
}`;
const RATE = `mutation Rate($bookId: ID!, $rating: Int!) { rateBook(bookId: $bookId, rating: $rating) { rating } }`;
/** Internals a client must never read. */
const LEAKS = /prisma|invocation|ECONNREFUSED|127\.0\.0\.1|localhost|\/work\/|\.ts:\d|Can't reach database/i;

const missing = !(await redisServerAvailable()) || !postgresServerAvailable() ? "needs redis-server and the PostgreSQL server binaries" : false;

describe("fault injection under load", { skip: missing }, () => {
  let stack: FaultStack;
  const tokens: string[] = [];
  /** Readers the load signs in as: far from the seeded readers' ids used by other scenarios. */
  const readers = Array.from({ length: CLIENTS }, (_unused, i) => 11 + i);

  before(async () => {
    // The load is closed-loop from ten readers at one address: during an outage errors come
    // back fast and the clients send faster, which the rate limit would answer instead of the
    // fault being measured. (bench/soak.ts keeps the limit and paces its clients under it.)
    stack = await startFaultStack(undefined, { RATE_LIMIT_PER_MINUTE: "1000000" });
    const config = loadConfig({ NODE_ENV: "test" });
    for (const userId of readers) tokens.push(await signAccessToken(config, { userId, role: "READER" }));
  });
  after(async () => {
    await stack?.close();
  });

  /** Mostly the flagship query over the 60 most popular books, every fifth request a rating. */
  const flagshipLoad = (withRatings: boolean) =>
    startLoad(CLIENTS, (client, n): LoadRequest => {
      if (withRatings && n % 5 === 4) {
        return { kind: "rate", send: () => postGraphQL(stack.gatewayUrl, RATE, { bookId: String(1 + ((client * 37 + n) % 200)), rating: 1 + (n % 5) }, tokens[client]) };
      }
      return { kind: "query", send: () => postGraphQL(stack.gatewayUrl, FLAGSHIP, { id: String(1 + ((client * 7 + n) % 60)) }, tokens[client]) };
    });

  const report = (name: string, value: unknown) => console.log(`# ${name}: ${JSON.stringify(value)}`);

  it("Redis down: at least half the throughput, p99 under 1 s, no failed request and no lost rating", async () => {
    const startedAt = new Date();
    const load: RunningLoad = flagshipLoad(true);
    await sleep(10_000); // warm-up: JIT, model sessions, caches
    const baselineFrom = load.now();
    await sleep(10_000);
    const outageFrom = load.now();
    await stack.redis.stop();
    await sleep(10_000);
    const outageTo = load.now();
    await stack.redis.start();
    await sleep(8_000);
    const samples = await load.stop();

    const baseline = summarise(samples, baselineFrom, outageFrom);
    const outage = summarise(samples, outageFrom, outageTo);
    const recovered = summarise(samples, outageTo + 2_000, load.now());
    report("redis baseline", baseline);
    report("redis outage", outage);
    report("redis recovered", recovered);
    assert.ok(outage.perSecond >= 0.5 * baseline.perSecond, `throughput during the outage ${outage.perSecond}/s vs ${baseline.perSecond}/s before`);
    // The bound of the issue is absolute (1 s). On a host so loaded that the p99 is already
    // above it without any fault, the test can only show the outage adds no waiting of its own.
    const p99Bound = baseline.p99 < 1_000 ? 1_000 : 2 * baseline.p99 + 1_000;
    report("redis outage p99 bound (ms)", p99Bound);
    assert.ok(outage.p99 < p99Bound, `p99 during the outage ${outage.p99} ms (bound ${p99Bound} ms, baseline p99 ${baseline.p99} ms)`);
    assert.deepEqual(outage.errors, {}, "no request failed because Redis was down");
    assert.deepEqual(recovered.errors, {});

    // Every rating a client was told succeeded is stored, with its interaction.
    const acknowledged = samples.filter((sample) => sample.kind === "rate" && sample.status === 200 && sample.codes.length === 0).length;
    const [stored] = await stack.sql<{ count: number }>(
      "SELECT count(*)::int AS count FROM interactions WHERE type = 'RATE' AND user_id = ANY($1::int[]) AND occurred_at >= $2",
      [readers, startedAt],
    );
    report("ratings acknowledged / interactions stored", [acknowledged, stored!.count]);
    assert.equal(stored!.count, acknowledged, "no acknowledged rating lost its interaction");

    // And none lost its event: the outbox holds what Redis could not take and relays it once Redis is back,
    // so fold-in and invalidation catch up. Counted on the durable stream after recovery.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [outbox] = await stack.sql<{ count: number }>("SELECT count(*)::int AS count FROM event_outbox");
      if (outbox!.count === 0) break;
      assert.ok(Date.now() < deadline, `${outbox!.count} events still in the outbox a minute after Redis returned`);
      await sleep(500);
    }
    const stream = new Redis(stack.redis.url);
    try {
      const entries = (await stream.xrange("shelfgraph:stream:interactions", "-", "+")) as [string, string[]][];
      const relayed = entries
        .map(([, fields]) => JSON.parse(fields[fields.indexOf("event") + 1]!) as { userId: number; type: string; occurredAt: string })
        .filter((event) => event.type === "RATE" && readers.includes(event.userId) && new Date(event.occurredAt) >= startedAt);
      // At-least-once: a relay interrupted between append and commit may append an event twice.
      const distinct = new Set(relayed.map((event) => `${event.userId}:${event.occurredAt}`));
      report("interaction events on the stream after recovery", { events: relayed.length, distinct: distinct.size });
      assert.equal(distinct.size, acknowledged, "every acknowledged rating's event reached the stream");
    } finally {
      stream.disconnect();
    }
  });

  it("PostgreSQL down: only coded, retryable SERVICE_UNAVAILABLE errors with no internals, unready meanwhile, and recovery by itself", async () => {
    const load = flagshipLoad(true);
    await sleep(3_000);
    const outageFrom = load.now();
    await stack.postgres.stop();
    const readiness: number[] = [];
    for (let i = 0; i < 10; i++) {
      readiness.push((await fetch(stack.urlOf("books", "/health/ready"))).status);
      await sleep(500);
    }
    const restartAt = load.now();
    await stack.postgres.start();
    let readyAgainMs = -1;
    for (let waited = 0; waited < 20_000; waited += 200) {
      if ((await fetch(stack.urlOf("books", "/health/ready"))).status === 200) {
        readyAgainMs = load.now() - restartAt;
        break;
      }
      await sleep(200);
    }
    await sleep(6_000);
    const samples = await load.stop();

    const outage = samples.filter((sample) => sample.at >= outageFrom && sample.at < restartAt);
    const codes = new Set(outage.flatMap((sample) => sample.codes));
    report("postgres outage", summarise(samples, outageFrom, restartAt));
    report("postgres readiness during the outage", readiness);
    assert.ok(outage.some((sample) => sample.codes.length > 0), "the outage was felt (else this checks nothing)");
    assert.deepEqual([...codes].filter((code) => code !== "SERVICE_UNAVAILABLE"), [], "only SERVICE_UNAVAILABLE");
    const leaked = outage.flatMap((sample) => sample.messages).filter((message) => LEAKS.test(message));
    assert.deepEqual(leaked.slice(0, 3), [], "no driver text, host or path in any message");
    assert.ok(readiness.slice(2).every((status) => status === 503), `readiness during the outage: ${readiness.join(", ")}`);
    assert.ok(readyAgainMs >= 0, "ready again after the database returned");

    const recovered = summarise(samples, restartAt + readyAgainMs + 2_000, load.now());
    report("postgres recovered", { ...recovered, readyAgainMs });
    assert.ok(recovered.requests > 0);
    assert.deepEqual(recovered.errors, {}, "recovered by itself");
  });

  it("a subgraph restart has no 404 window: /graphql answers from the first accepted connection", async () => {
    await stack.stop("recommendations");
    const url = stack.urlOf("recommendations");
    const statuses: number[] = [];
    const starting = stack.start("recommendations");
    let ready = false;
    const deadline = Date.now() + 180_000;
    while (!ready && Date.now() < deadline) {
      try {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
        statuses.push(response.status);
        const readiness = await fetch(stack.urlOf("recommendations", "/health/ready"));
        ready = readiness.status === 200;
        if (ready) assert.equal(response.status, 200, "ready implies /graphql answers");
      } catch {
        await sleep(2); // not listening yet
      }
    }
    await starting;
    report("recommendations restart: statuses from first connection", [...new Set(statuses)]);
    assert.ok(statuses.length > 0);
    assert.ok(!statuses.includes(404), `statuses seen: ${[...new Set(statuses)].join(", ")}`);
    const answer = await postGraphQL(stack.gatewayUrl, FLAGSHIP, { id: "1" }, tokens[0]);
    assert.equal(answer.body?.errors, undefined, JSON.stringify(answer.body?.errors));
  });

  it("a corrupted model: the service starts, serves from what it has, and the response, a metric and the log say which fallback served and why", async () => {
    const PREDICTION = `{ book(id: "1") { prediction { score source algorithm modelVersion } } }`;
    type Predicted = { source: string; algorithm: string; modelVersion: number | null };
    // Through the gateway, signed in: subgraphs trust identity only from the gateway.
    const predict = async (): Promise<Predicted> => {
      const answer = await postGraphQL(stack.gatewayUrl, PREDICTION, {}, tokens[1]);
      assert.equal(answer.body?.errors, undefined, JSON.stringify(answer.body?.errors));
      const { source, algorithm, modelVersion } = (answer.body as { data: { book: { prediction: Predicted } } }).data.book.prediction;
      return { source, algorithm, modelVersion };
    };

    const healthy = await predict();
    report("prediction before the corruption", healthy);
    assert.equal(healthy.source, "MODEL", "the reader's scores come from the models before the corruption (else this checks nothing)");
    // The scores blend the collaborative models by the weights the hybrid learnt on held-out
    // readers, and on this small catalogue ALS may earn none: corrupting a model that does not
    // serve would change nothing a client sees. So the fault hits ALS when it serves, else
    // a model that does.
    const servingBefore = modelsNamed(healthy.algorithm);
    const name = servingBefore.includes("als") ? "als" : servingBefore[0]!;
    const [corrupted] = await stack.sql<{ version: number; artifact_path: string }>("SELECT version, artifact_path FROM model_versions WHERE name = $1 AND status = 'PRODUCTION'", [name]);
    assert.ok(corrupted, `a production version of ${name} to corrupt`);
    report("corrupted model", { name, version: corrupted.version });
    // Every graph of that production version: its scorer among them.
    const dir = resolveArtifactPath(stack.models.artifactsDir, corrupted.artifact_path);
    for (const file of (await readdir(dir)).filter((file) => file.endsWith(".onnx"))) await appendFile(join(dir, file), "corrupted");
    await stack.stop("recommendations");
    const restarted = await stack.start("recommendations");

    const why = JSON.parse(await restarted.waitForLine(logMessage("model version cannot be served; falling back"), 60_000)) as { model: string; version: number };
    assert.deepEqual({ model: why.model, version: why.version }, { model: name, version: corrupted.version });
    const deadline = Date.now() + 60_000;
    while ((await fetch(stack.urlOf("recommendations", "/health/ready"))).status !== 200) {
      assert.ok(Date.now() < deadline, "ready with the models it could load");
      await sleep(200);
    }

    const answer = await postGraphQL(stack.gatewayUrl, `{ me { recommendations(limit: 5, strategy: CF) { algorithm source } } }`, {}, tokens[1]);
    assert.equal(answer.body?.errors, undefined, JSON.stringify(answer.body?.errors));
    const list = (answer.body as { data: { me: { recommendations: { algorithm: string; source: string }[] } } }).data.me.recommendations;
    report(`recommendations without ${name}`, list[0]);
    assert.ok(list.length > 0 && list.every((item) => !modelsNamed(item.algorithm).includes(name)), `the list says which algorithm served instead of ${name}`);

    // Scores come from the collaborative models left (the learnt blend renormalised over
    // them) or, if none can score, from popularity: the algorithm names exactly what
    // served, and the version is that model's own (none for a blend or popularity).
    const predicted = await predict();
    report(`prediction without ${name}`, predicted);
    const production = new Map(
      (await stack.sql<{ name: string; version: number }>("SELECT name, version FROM model_versions WHERE status = 'PRODUCTION'")).map((row) => [row.name, row.version]),
    );
    if (predicted.source === "POPULARITY") {
      assert.deepEqual(predicted, { source: "POPULARITY", algorithm: "popularity", modelVersion: null });
    } else {
      assert.equal(predicted.source, "MODEL", JSON.stringify(predicted));
      const served = modelsNamed(predicted.algorithm);
      assert.ok(!served.includes(name), `${name} cannot serve: ${predicted.algorithm}`);
      for (const model of served) assert.ok(production.has(model), `${model} (in ${predicted.algorithm}) is a production model`);
      assert.equal(predicted.modelVersion, served.length === 1 ? production.get(served[0]!) : null, "the version of the one model that served, none for a blend");
    }

    // The operator's side: /metrics says the model is not served and why answers come from elsewhere.
    const { port } = JSON.parse(await restarted.waitForLine(logMessage("serving metrics"))) as { port: number };
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const series = (metric: string, labels: string) => Number(new RegExp(`^${metric}\\{${labels}\\} (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN);
    const observed = {
      loadFailures: series("shelfgraph_model_load_failures_total", `model="${name}"`),
      productionVersion: series("shelfgraph_model_production_version", `model="${name}"`),
      scoresFromPopularity: series("shelfgraph_recommendation_fallbacks_total", `reason="scores:model-missing"`),
    };
    report(`metrics without ${name}`, observed);
    assert.ok(observed.loadFailures >= 1, "the load failure is counted");
    assert.equal(observed.productionVersion, 0, `${name} is reported as not served`);
    if (predicted.source === "POPULARITY") assert.ok(observed.scoresFromPopularity >= 1, "scores served by popularity are counted as a fallback");
  });
});
