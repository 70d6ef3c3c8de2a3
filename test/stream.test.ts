import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { loadConfig } from "../lib/config.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { parseUserVectorChanged } from "../lib/events/user-vector-changed.ts";
import { createLogger } from "../lib/logger.ts";
import { createPubSub, Topics } from "../lib/pubsub.ts";
import { createDurableStream, INTERACTIONS_STREAM, type DurableStream, type StreamMessage } from "../lib/stream/index.ts";
import { createPostgresDatabase } from "./support/databases.ts";
import { logMessage, startServiceProcess } from "./support/processes.ts";
import { redisNamespace, type RedisNamespace } from "./support/redis-namespace.ts";

const silent = createLogger(loadConfig({ LOG_LEVEL: "silent", NODE_ENV: "test" }), "test");

function streamFor(kind: "memory" | "redis", namespace: RedisNamespace, settings: { STREAM_MAX_DELIVERIES?: string; STREAM_CLAIM_IDLE_MS?: string } = {}): DurableStream {
  const config = loadConfig({
    NODE_ENV: "test",
    REDIS_URL: kind === "redis" ? process.env.REDIS_URL : undefined,
    STREAM_KEY_PREFIX: namespace.env.STREAM_KEY_PREFIX,
    STREAM_MAX_DELIVERIES: "3",
    STREAM_CLAIM_IDLE_MS: "300",
    ...settings,
  });
  return createDurableStream(config, silent);
}

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

const kinds: ("memory" | "redis")[] = process.env.REDIS_URL ? ["memory", "redis"] : ["memory"];

for (const kind of kinds) {
  describe(`the durable stream (${kind})`, () => {
    const streams: DurableStream[] = [];
    const namespaces: RedisNamespace[] = [];
    after(async () => {
      await Promise.allSettled(streams.map((stream) => stream.close()));
      await Promise.all(namespaces.map((namespace) => namespace.drop()));
    });
    const open = (settings?: Parameters<typeof streamFor>[2]) => {
      const namespace = redisNamespace(kind === "redis" ? process.env.REDIS_URL : undefined, "test");
      namespaces.push(namespace);
      const stream = streamFor(kind, namespace, settings);
      streams.push(stream);
      return stream;
    };

    it("gives every group every event once, in order, across a consumer that stops and a successor that takes over", async () => {
      const stream = open();
      const seen = { a: [] as number[], b: [] as number[] };
      const consumerA = stream.consume({ stream: "s", group: "a", consumer: "a-1", handle: async (m) => void seen.a.push((m.payload as { n: number }).n) });
      stream.consume({ stream: "s", group: "b", consumer: "b-1", handle: async (m) => void seen.b.push((m.payload as { n: number }).n) });
      await stream.append("s", Array.from({ length: 50 }, (_, n) => ({ n })));
      await until(() => seen.a.length === 50 && seen.b.length === 50, 5000, "both groups");
      await consumerA.stop();
      // Appended while group a has no consumer: a successor under another name reads them.
      await stream.append("s", Array.from({ length: 50 }, (_, n) => ({ n: 50 + n })));
      const successor = stream.consume({ stream: "s", group: "a", consumer: "a-2", handle: async (m) => void seen.a.push((m.payload as { n: number }).n) });
      await until(() => seen.a.length === 100 && seen.b.length === 100, 5000, "the successor");
      assert.deepEqual(seen.a, Array.from({ length: 100 }, (_, n) => n));
      assert.deepEqual(seen.b, Array.from({ length: 100 }, (_, n) => n));
      // Acknowledged right after each handler returns.
      await until(() => successor.acknowledged === 50, 5000, "the successor's acknowledgements");
    });

    it("retries a failing event, then parks it in the dead-letter list with its error, and goes on", async () => {
      const stream = open();
      const attempts = new Map<number, number>();
      const handled: number[] = [];
      stream.consume({
        stream: "s",
        group: "g",
        consumer: "c",
        async handle(message: StreamMessage) {
          const n = (message.payload as { n: number }).n;
          attempts.set(n, (attempts.get(n) ?? 0) + 1);
          if (n === 2) throw new Error("cannot handle event 2");
          handled.push(n);
        },
      });
      await stream.append("s", [{ n: 1 }, { n: 2 }, { n: 3 }]);
      await until(() => handled.length === 2, 5000, "the good events");
      let parked = await stream.deadLetters("s", "g");
      for (const deadline = Date.now() + 8000; parked.length === 0 && Date.now() < deadline; parked = await stream.deadLetters("s", "g")) await sleep(100);
      assert.deepEqual(handled, [1, 3], "a poison event does not hold the others back");
      assert.equal(parked.length, 1);
      assert.deepEqual(parked[0]!.payload, { n: 2 });
      assert.match(parked[0]!.error, /cannot handle event 2/);
      assert.equal(parked[0]!.deliveries, 3);
      assert.equal(attempts.get(2), 3, "tried STREAM_MAX_DELIVERIES times, not forever");
    });
  });
}

/**
 * The stream consumers as their own process on PostgreSQL and Redis: the outbox is
 * relayed by the process, the embeddings role publishes one USER_VECTOR_CHANGED per
 * interaction, and the process is killed (SIGKILL, mid-stream) and replaced.
 */
describe("a stream consumer process killed and restarted", { skip: !(process.env.DATABASE_URL && process.env.REDIS_URL) && "needs DATABASE_URL and REDIS_URL" }, () => {
  it("loses no event: every interaction written to the outbox is handled, counted after the restart", async () => {
    const database = await createPostgresDatabase(process.env.DATABASE_URL!);
    const namespace = redisNamespace(process.env.REDIS_URL, "test");
    const prefix = namespace.env.STREAM_KEY_PREFIX;
    const bus = createPubSub({ REDIS_URL: process.env.REDIS_URL, STREAM_KEY_PREFIX: prefix }, silent);
    const env = { ...database.env, REDIS_URL: process.env.REDIS_URL, STREAM_KEY_PREFIX: prefix, STREAM_CLAIM_IDLE_MS: "1000", LOG_LEVEL: "info" };
    const processes: ReturnType<typeof startServiceProcess>[] = [];
    try {
      await applyMigrations(database.db);
      const seen = new Map<string, number>();
      const listener = await bus.subscribe(Topics.USER_VECTOR_CHANGED, (payload: unknown) => {
        const event = parseUserVectorChanged(payload);
        if (event) seen.set(`${event.userId}@${event.occurredAt}`, (seen.get(`${event.userId}@${event.occurredAt}`) ?? 0) + 1);
      }, {});
      const first = startServiceProcess("lib/stream/main.ts", env);
      processes.push(first);
      await first.waitForLine(logMessage("stream consumers running"));
      await sleep(300);

      const total = 300;
      const start = Date.parse("2026-12-01T00:00:00Z");
      await database.db.prisma.eventOutbox.createMany({
        data: Array.from({ length: total }, (_, index) => ({
          stream: INTERACTIONS_STREAM,
          payload: { userId: index + 1, bookId: 1, type: "VIEW", value: null, occurredAt: new Date(start + index * 1000).toISOString() },
        })),
      });
      await until(() => seen.size >= 40, 30_000, "the first process to handle some events");
      first.child.kill("SIGKILL");
      await first.exit();
      const handledBeforeKill = seen.size;

      const second = startServiceProcess("lib/stream/main.ts", { ...env, STREAM_CLAIM_IDLE_MS: "1000" });
      processes.push(second);
      await until(() => seen.size === total, 60_000, `all ${total} events (seen ${seen.size})`);
      bus.unsubscribe(listener);
      const repeats = [...seen.values()].filter((count) => count > 1).length;
      console.log(`killed after ${handledBeforeKill}/${total} events; after the restart all ${total} were handled (${repeats} handled twice: at-least-once)`);
      assert.equal(seen.size, total);
      assert.equal(await database.db.prisma.eventOutbox.count(), 0, "the outbox is drained");
      const stream = createDurableStream(loadConfig({ NODE_ENV: "test", REDIS_URL: process.env.REDIS_URL, STREAM_KEY_PREFIX: prefix }), silent);
      assert.deepEqual(await stream.deadLetters(INTERACTIONS_STREAM, "embeddings"), []);
      await stream.close();
    } finally {
      await Promise.allSettled(processes.map((child) => child.stop()));
      await bus.close();
      await namespace.drop();
      await database.drop();
    }
  });
});
