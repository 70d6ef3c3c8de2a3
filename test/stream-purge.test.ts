import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { createDurableStream, type DurableStream, type StreamMessage } from "../lib/stream/index.ts";
import { purgeReaderEvents } from "../lib/stream/reader-purge.ts";
import { redisServerAvailable, startPrivateRedis } from "./support/private-redis.ts";
import { redisNamespace } from "./support/redis-namespace.ts";

const silent = createLogger(loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" }), "test");
const ERASED = 7;
const KEPT = 8;

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

interface Event {
  userId: number;
  n: number;
  poison?: boolean;
}
const eventOf = (message: StreamMessage) => message.payload as Event;

const kinds: ("memory" | "redis")[] = process.env.REDIS_URL ? ["memory", "redis"] : ["memory"];

for (const kind of kinds) {
  describe(`purging an erased reader from the durable stream (${kind})`, () => {
    const namespace = redisNamespace(kind === "redis" ? process.env.REDIS_URL : undefined, "test");
    const prefix = namespace.env.STREAM_KEY_PREFIX;
    const streams: DurableStream[] = [];
    const raw = kind === "redis" ? new Redis(process.env.REDIS_URL!, { lazyConnect: true }) : undefined;
    after(async () => {
      await Promise.allSettled(streams.map((stream) => stream.close()));
      raw?.disconnect();
      await namespace.drop();
    });
    const open = () => {
      const config = loadConfig({
        NODE_ENV: "test",
        REDIS_URL: kind === "redis" ? process.env.REDIS_URL : undefined,
        STREAM_KEY_PREFIX: prefix,
        STREAM_MAX_DELIVERIES: "4",
        STREAM_CLAIM_IDLE_MS: "200",
      });
      const stream = createDurableStream(config, silent);
      streams.push(stream);
      return stream;
    };
    /** Everything a group created now reads from the start of the stream: what the stream still holds. */
    const retained = async (stream: DurableStream, name: string) => {
      const seen: Event[] = [];
      const reader = stream.consume({ stream: name, group: `audit-${randomUUID()}`, consumer: "audit", handle: async (message) => void seen.push(eventOf(message)) });
      let last = -1;
      await until(async () => {
        const stable = seen.length === last;
        last = seen.length;
        if (!stable) await sleep(400);
        return stable;
      }, 10_000, "the audit group to read the whole stream");
      await reader.stop();
      return seen;
    };

    it("removes the reader's events from the stream, the dead letters and every pending list; no consumer handles one afterwards", async () => {
      const stream = open();
      const name = `interactions-${randomUUID()}`;
      // The first event (the kept reader's) holds the in-flight consumer inside its handler while the purge runs.
      const events: Event[] = [{ userId: KEPT, n: 0 }];
      for (let n = 1; n <= 10; n += 1) events.push({ userId: n % 2 === 0 ? KEPT : ERASED, n });
      events.push({ userId: ERASED, n: 11, poison: true }, { userId: KEPT, n: 12, poison: true });

      // Group "done" handles everything: acknowledged events stay on the stream until trimmed.
      const done: Event[] = [];
      const erasedIds: string[] = [];
      stream.consume({ stream: name, group: "done", consumer: "d", handle: async (message) => {
        done.push(eventOf(message));
        if (eventOf(message).userId === ERASED) erasedIds.push(message.id);
      } });
      // Group "stalled" fails everything, then stops: every event is left pending on its consumer.
      const stalledAttempts = new Set<number>();
      const stalled = stream.consume({ stream: name, group: "stalled", consumer: "s-1", handle: async (message) => {
        stalledAttempts.add(eventOf(message).n);
        throw new Error("not now");
      } });
      // Group "parked" fails on poison events, which end in its dead-letter list.
      stream.consume({ stream: name, group: "parked", consumer: "p", handle: async (message) => {
        if (eventOf(message).poison) throw new Error(`poison ${eventOf(message).n}`);
      } });
      await stream.append(name, events);
      // Group "inflight", created now, reads all the events in one batch and is inside the first handler when the reader is erased.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered = false;
      const handledAfterPurge: Event[] = [];
      stream.consume({ stream: name, group: "inflight", consumer: "i", handle: async (message) => {
        if (eventOf(message).n === 0) {
          entered = true;
          await gate;
          return;
        }
        handledAfterPurge.push(eventOf(message));
      } });
      await until(() => done.length === events.length && stalledAttempts.size === events.length && entered, 10_000, "every group to read the events");
      await stalled.stop();
      await until(async () => (await stream.deadLetters(name, "parked")).length === 2, 10_000, "both poison events to be parked");

      const removed = await stream.purgeReader(ERASED);
      assert.equal(removed, 6 + 1, "six events on the stream and one dead letter");
      release();

      await until(() => handledAfterPurge.some((event) => event.n === 12), 10_000, "the in-flight consumer to finish its batch");
      assert.deepEqual(handledAfterPurge.map((event) => event.userId).filter((userId) => userId === ERASED), [], "read before the purge, handled after: skipped");
      assert.deepEqual(handledAfterPurge.map((event) => event.n), [2, 4, 6, 8, 10, 12]);

      // The stalled consumer resumes its own pending events under its name: the reader's are no longer among them.
      const resumed: Event[] = [];
      const resumedConsumer = stream.consume({ stream: name, group: "stalled", consumer: "s-1", handle: async (message) => void resumed.push(eventOf(message)) });
      await until(() => resumed.length >= 7, 10_000, "the stalled group's pending events");
      await sleep(500);
      assert.deepEqual(resumed.map((event) => event.n).sort((a, b) => a - b), [0, 2, 4, 6, 8, 10, 12]);
      await until(() => resumedConsumer.acknowledged === 7, 5000, "their acknowledgements");

      assert.deepEqual((await stream.deadLetters(name, "parked")).map((letter) => (letter.payload as Event).n), [12]);
      const left = await retained(stream, name);
      assert.deepEqual(left.filter((event) => event.userId === ERASED), [], "no event of the reader is left on the stream");
      assert.equal(left.length, 7, "the other reader's events stay");
      assert.equal(await stream.purgeReader(ERASED), 0, "nothing left to purge");

      if (raw) {
        // Nothing under the prefix names the reader: no entry, dead letter, pending id or recorded error.
        for (const key of await raw.keys(`${prefix}*`)) {
          const type = await raw.type(key);
          if (type === "stream") {
            const entries = (await raw.xrange(key, "-", "+")) as [string, string[]][];
            assert.ok(entries.every(([, fields]) => !fields.join(" ").includes(`"userId":${ERASED}`)), `${key} still holds the reader's events`);
            for (const group of ((await raw.xinfo("GROUPS", key)) as string[][]).map((fields) => fields[1]!)) {
              const pending = (await raw.xpending(key, group, "-", "+", 1000)) as [string][];
              assert.deepEqual(pending.map(([id]) => id).filter((id) => erasedIds.includes(id)), [], `${key} group ${group} still has the reader's ids pending`);
            }
          } else if (type === "hash") {
            const errors = await raw.hkeys(key);
            assert.deepEqual(errors.filter((id) => erasedIds.includes(id)), [], `${key} still records errors of the reader's events`);
          }
        }
      }
    });

    if (kind === "redis") {
      it("acknowledges and skips an entry deleted while pending (XDEL or trimming leaves its id with no fields)", async () => {
        const stream = open();
        const name = `interactions-${randomUUID()}`;
        const first = stream.consume({ stream: name, group: "g", consumer: "c-1", handle: async () => {
          throw new Error("not now");
        } });
        await stream.append(name, [{ userId: KEPT, n: 1 }, { userId: KEPT, n: 2 }, { userId: KEPT, n: 3 }]);
        // The consumer creates its group as it starts: until then the count is NOGROUP, not zero.
        const pendingCount = async () => Number(((await raw!.xpending(prefix + name, "g").catch(() => [-1])) as [number])[0]);
        await until(async () => (await pendingCount()) === 3, 5000, "three pending events");
        await first.stop();
        const [, middle] = (await raw!.xrange(prefix + name, "-", "+")) as [string, string[]][];
        // Deleted by hand, without the acknowledgement purgeReader also makes: its id stays pending.
        await raw!.xdel(prefix + name, middle![0]);

        const handled: number[] = [];
        const second = stream.consume({ stream: name, group: "g", consumer: "c-1", handle: async (message) => void handled.push(eventOf(message).n) });
        await until(() => second.acknowledged === 2, 5000, "the two remaining events");
        assert.deepEqual(handled, [1, 3]);
        await until(async () => (await pendingCount()) === 0, 5000, "the pending list to empty");
      });
    }
  });
}

describe("an erasure while the stream's Redis is down", () => {
  it("does not fail (the account is already gone): the purge is retried in the background and completes once Redis is back", async (t) => {
    if (!(await redisServerAvailable())) return t.skip("no redis-server binary");
    const redis = await startPrivateRedis();
    const prefix = `shelfgraph:test:${randomUUID()}:stream:`;
    const stream = createDurableStream(loadConfig({ NODE_ENV: "test", REDIS_URL: redis.url, STREAM_KEY_PREFIX: prefix }), silent);
    try {
      await stream.append("interactions", [{ userId: ERASED, n: 1 }, { userId: KEPT, n: 2 }, { userId: ERASED, n: 3 }]);
      await redis.stop();
      const purge = await purgeReaderEvents(stream, ERASED, silent, [300, 300, 600, 1200, 2400]);
      assert.equal(purge.removed, null, "the first attempt failed, without throwing");
      // Back with its append-only file: the events are still there until the retry removes them.
      await redis.start();
      assert.equal(await purge.settled, 2, "a background retry removed both events");
      const raw = new Redis(redis.url);
      try {
        const left = (await raw.xrange(`${prefix}interactions`, "-", "+")) as [string, string[]][];
        assert.deepEqual(left.map(([, fields]) => JSON.parse(fields[1]!).n), [2]);
      } finally {
        raw.disconnect();
      }
    } finally {
      await stream.close();
      await redis.close();
    }
  });
});
