import assert from "node:assert/strict";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createMemoryRateLimiter } from "../gateway/edge/rate-limit/memory-limiter.ts";
import { createRedisRateLimiter } from "../gateway/edge/rate-limit/redis-limiter.ts";
import type { RateLimiter } from "../gateway/edge/rate-limit/limiter.ts";
import { startGateway } from "../gateway/server.ts";
import { signAccessToken } from "../lib/auth/tokens.ts";
import type { SubgraphName } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import type { RunningService } from "../lib/server/subgraph-server.ts";
import { databaseTargets } from "./support/databases.ts";
import { freePort } from "./support/ports.ts";
import { errorCodes, graphql, type GraphQLResult } from "./support/graphql-client.ts";
import { redisNamespace } from "./support/redis-namespace.ts";
import { startTestSupergraph, type TestSupergraph } from "./support/supergraph.ts";

const CHEAP = `{ genres { name } }`;
/** 1 + 1 + 50 × (1 + 2) = 152 cost: 16 units at 10 cost per unit. */
const HEAVY = `{ book(id: "1") { similar(limit: 50) { book { id title } } } }`;

function assertRateLimited(result: GraphQLResult) {
  assert.equal(result.status, 429);
  assert.deepEqual(errorCodes(result), ["RATE_LIMITED"]);
  const retryAfter = Number(result.headers.get("retry-after"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, `Retry-After ${result.headers.get("retry-after")}`);
  assert.equal(result.errors![0]!.extensions!.retryAfterSeconds, retryAfter);
}

describe("the sliding window", () => {
  const limiters: [string, (now: () => number) => RateLimiter][] = [["in process", (now) => createMemoryRateLimiter({ now })]];
  const namespace = redisNamespace(process.env.REDIS_URL, "test");
  after(() => namespace.drop());
  if (process.env.REDIS_URL) {
    const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");
    limiters.push(["in Redis", (now) => createRedisRateLimiter(process.env.REDIS_URL!, namespace.prefix, logger, { now })]);
  }
  for (const [name, create] of limiters) {
    it(`${name}: refuses past the limit, tells when to retry, and lets the previous minute fade out`, async () => {
      let now = 60_000 * 1_000 + 30_000; // halfway through a minute
      // Asked at once: a limiter that has just started waits for its first connection rather than let requests through.
      const limiter = create(() => now);
      try {
        for (let i = 0; i < 10; i += 1) assert.equal((await limiter.consume("ip:a", 1, 10)).allowed, true);
        const refused = await limiter.consume("ip:a", 1, 10);
        assert.equal(refused.allowed, false);
        assert.equal(refused.retryAfterSeconds, 36, "the 30 s left of this minute, then 6 s until 10 × (1 − f) + 1 ≤ 10");
        assert.equal((await limiter.consume("ip:b", 1, 10)).allowed, true, "callers are counted apart");
        assert.equal((await limiter.consume("ip:a", 5, 10)).allowed, false);
        now += 60_000; // same point of the next minute: the previous 10 weigh 5
        assert.equal((await limiter.consume("ip:a", 5, 10)).allowed, true);
        assert.equal((await limiter.consume("ip:a", 1, 10)).allowed, false);
        assert.equal((await limiter.consume("ip:c", 50, 10)).allowed, true, "an operation heavier than the allowance is charged the allowance");
      } finally {
        await limiter.close();
      }
    });

    it(`${name}: decides by the count when the event loop was busy past the command timeout`, async () => {
      const limiter = create(() => 60_000 * 1_000 + 30_000);
      try {
        for (const busyMs of [0, 120]) {
          const caller = `ip:busy-${busyMs}`;
          assert.equal((await limiter.consume(caller, 10, 10)).allowed, true);
          const over = limiter.consume(caller, 1, 10);
          // A long synchronous task (a GC pause, a heavy request) while the answer is on its way: the 50 ms timeout has passed
          // when the loop next looks at its timers, yet the answer arrived long before.
          setImmediate(() => {
            const until = Date.now() + busyMs;
            while (Date.now() < until);
          });
          assert.equal((await over).allowed, false, `refused past the allowance, the loop busy for ${busyMs} ms`);
        }
      } finally {
        await limiter.close();
      }
    });

    it(`${name}: forgets a caller's counters, of this minute and the last (an erased reader)`, async () => {
      let now = 60_000 * 1_000 + 30_000;
      const limiter = create(() => now);
      try {
        for (let i = 0; i < 10; i += 1) assert.equal((await limiter.consume("user:7", 1, 10)).allowed, true);
        now += 60_000; // the 10 of the previous minute still weigh 5
        assert.equal((await limiter.consume("user:7", 6, 10)).allowed, false);
        assert.equal((await limiter.consume("user:8", 1, 10)).allowed, true);
        await limiter.forget("user:7");
        assert.equal((await limiter.consume("user:7", 10, 10)).allowed, true, "a forgotten caller starts afresh");
        assert.equal((await limiter.consume("user:8", 10, 10)).allowed, false, "others keep their counts");
      } finally {
        await limiter.close();
      }
    });
  }
});

describe("leases of a large allowance in Redis", { skip: !process.env.REDIS_URL && "needs REDIS_URL" }, () => {
  it("charges 1 % of the allowance ahead, spends it without Redis, and never lets instances together past the allowance", async () => {
    const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");
    const namespace = redisNamespace(process.env.REDIS_URL, "test");
    const prefix = namespace.prefix;
    const now = () => 60_000 * 1_000 + 30_000;
    const [a, b] = [createRedisRateLimiter(process.env.REDIS_URL!, prefix, logger, { now }), createRedisRateLimiter(process.env.REDIS_URL!, prefix, logger, { now })];
    const reader = new Redis(process.env.REDIS_URL!);
    try {
      assert.equal((await a.consume("ip:z", 1, 1_000)).allowed, true);
      assert.equal(await reader.get(`${prefix}ip:z:1000`), "11", "the request's unit and a lease of 10");
      for (let i = 0; i < 10; i += 1) assert.equal((await a.consume("ip:z", 1, 1_000)).allowed, true);
      assert.equal(await reader.get(`${prefix}ip:z:1000`), "11", "the lease was spent without asking Redis");
      let allowed = 11;
      for (let i = 0; i < 1_100; i += 1) if ((await [a, b][i % 2]!.consume("ip:z", 1, 1_000)).allowed) allowed += 1;
      assert.ok(allowed <= 1_000 && allowed >= 1_000 - 2 * 10, `${allowed} of an allowance of 1,000 (two instances, leases of 10)`);
    } finally {
      reader.disconnect();
      await a.close();
      await b.close();
      await namespace.drop();
    }
  });
});

describe("one caller's concurrent requests against a large allowance in Redis", { skip: !process.env.REDIS_URL && "needs REDIS_URL" }, () => {
  it("share one lease: requests arriving together are not each charged a lease of their own and refused", async () => {
    const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");
    const namespace = redisNamespace(process.env.REDIS_URL, "test");
    const now = () => 60_000 * 1_000 + 30_000;
    const limiter = createRedisRateLimiter(process.env.REDIS_URL!, namespace.prefix, logger, { now });
    const reader = new Redis(process.env.REDIS_URL!);
    try {
      // 300 requests in flight at once (a busy partner, or any caller when a new minute starts), against 10,000 a minute.
      const decisions = await Promise.all(Array.from({ length: 300 }, () => limiter.consume("apiKey:busy", 1, 10_000)));
      assert.equal(decisions.filter((decision) => !decision.allowed).length, 0, "300 requests of an allowance of 10,000 a minute were refused");
      const charged = Number(await reader.get(`${namespace.prefix}apiKey:busy:1000`));
      assert.ok(charged >= 300 && charged <= 300 + 100, `${charged} units charged for 300 requests (at most one lease of 100 left unspent)`);
      // Spent: requests arriving together are each refused, not let through behind the one ahead.
      assert.equal((await limiter.consume("apiKey:busy", 10_000 - charged, 10_000)).allowed, true);
      const refused = await Promise.all(Array.from({ length: 50 }, () => limiter.consume("apiKey:busy", 1, 10_000)));
      assert.deepEqual(new Set(refused.map((decision) => decision.allowed)), new Set([false]));
      assert.ok(refused.every((decision) => decision.retryAfterSeconds >= 1));
    } finally {
      reader.disconnect();
      await limiter.close();
      await namespace.drop();
    }
  });
});

describe("a limiter started while Redis is down", () => {
  it("waits once for the first connection, then lets requests through without waiting", async () => {
    const logger = createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }, "test");
    const limiter = createRedisRateLimiter(`redis://127.0.0.1:${await freePort()}`, "shelfgraph:test:rate-down:", logger);
    try {
      assert.equal((await limiter.consume("ip:d", 1, 1)).allowed, true, "let through: losing the limiter must not take the API down");
      const started = Date.now();
      for (let i = 0; i < 10; i += 1) assert.equal((await limiter.consume("ip:d", 1, 1)).allowed, true);
      const waited = Date.now() - started;
      assert.ok(waited < 1_000, `10 more requests took ${waited} ms: each waited for a connection that had already been waited for`);
    } finally {
      await limiter.close();
    }
  });
});

for (const target of databaseTargets().slice(0, 1)) {
  describe(`rate limits through the gateway (${target.name}${process.env.REDIS_URL ? " + redis" : ""})`, () => {
    let running: TestSupergraph;
    let second: RunningService | undefined;

    before(async () => {
      running = await startTestSupergraph(target, undefined, { RATE_LIMIT_PER_MINUTE: "20", RATE_LIMIT_COST_PER_UNIT: "10" });
      if (process.env.REDIS_URL) {
        // A second gateway instance on the same Redis, as behind a load balancer.
        const { config, logger, pubsub } = running.runtime;
        const subgraphUrls = Object.fromEntries(Object.entries(running.supergraph.subgraphs).map(([name, service]) => [name, service.url])) as Record<SubgraphName, string>;
        second = await startGateway({ config, logger, port: 0, supergraphPath: resolve(config.SUPERGRAPH_PATH), subgraphUrls, pubsub });
      }
    });
    after(async () => {
      await second?.stop();
      await running?.stop();
    });

    it("answers 429 RATE_LIMITED with Retry-After past RATE_LIMIT_PER_MINUTE, charging heavy operations by their cost", async () => {
      const first = await graphql(running.gatewayUrl, HEAVY);
      assert.equal(first.status, 200, JSON.stringify(first.errors));
      assertRateLimited(await graphql(running.gatewayUrl, HEAVY));
      // 16 of 20 units spent: four cheap operations still fit, the fifth does not.
      for (let i = 0; i < 4; i += 1) assert.equal((await graphql(running.gatewayUrl, CHEAP)).status, 200);
      assertRateLimited(await graphql(running.gatewayUrl, CHEAP));

      const token = await signAccessToken(running.runtime.config, { userId: 3, role: "READER" });
      const signedIn = await graphql(running.gatewayUrl, CHEAP, { token });
      assert.equal(signedIn.status, 200, "a signed-in reader is counted by user, not by the exhausted address");
    });

    it("shares one allowance across two gateway instances on one Redis", { skip: !process.env.REDIS_URL && "needs REDIS_URL" }, async () => {
      const token = await signAccessToken(running.runtime.config, { userId: 7, role: "READER" });
      const urls = [running.gatewayUrl, second!.url];
      for (let i = 0; i < 20; i += 1) {
        const result = await graphql(urls[i % 2]!, CHEAP, { token });
        assert.equal(result.status, 200, `request ${i + 1} of 20`);
      }
      assertRateLimited(await graphql(urls[0]!, CHEAP, { token }));
      assertRateLimited(await graphql(urls[1]!, CHEAP, { token }));
    });
  });
}
