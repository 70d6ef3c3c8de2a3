import type { Logger } from "../logger.ts";
import { createRedisClient, type Redis } from "../redis.ts";
import {
  deadLetterStream,
  errorText,
  type ConsumeOptions,
  type DeadLetter,
  type DurableStream,
  type StreamConsumer,
  type StreamMessage,
  type StreamSettings,
} from "./durable-stream.ts";
import { missingEntries, purgeCounterKey, purgeReaderFromRedis } from "./redis-purge.ts";

/** Approximate cap on a stream's length (XADD MAXLEN ~): weeks of interactions at the design's rates, bounded memory. */
const MAX_STREAM_LENGTH = 1_000_000;
/** How long one XREADGROUP blocks: also how quickly a stopping consumer notices. */
const BLOCK_MS = 1000;

/** Fields are null for an entry deleted (purged, trimmed) while it was pending: XREADGROUP from 0 and XCLAIM return its id alone. */
type RawEntry = [id: string, fields: string[] | null];

const fieldOf = (fields: string[] | null, name: string): string | undefined => {
  if (!fields) return undefined;
  for (let index = 0; index < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
};

/** What one read returned, and the purge counter as it stood just before it. */
interface Batch {
  readonly messages: StreamMessage[];
  readonly purges: number;
}

/**
 * Redis Streams with consumer groups: XADD to append, XREADGROUP to read, XACK
 * after the handler succeeded, XAUTOCLAIM to take over events left pending by a
 * dead (or failing) consumer, and a dead-letter stream per group for events that
 * failed `maxDeliveries` times, each with its last error. Keys are `prefix + stream`.
 */
export function createRedisStream(url: string, prefix: string, settings: StreamSettings, logger: Logger): DurableStream {
  // Off the request path (the outbox relay, consumers): no request-path command timeout, which a
  // blocking XREADGROUP or a 500-entry XADD pipeline on a busy host would trip.
  const writer = createRedisClient(url, logger, "stream-writer", { profile: "background" });
  const consumers = new Set<RedisConsumer>();
  return {
    kind: "redis",
    async append(stream, payloads) {
      if (payloads.length === 0) return;
      const pipeline = writer.pipeline();
      for (const payload of payloads) pipeline.xadd(prefix + stream, "MAXLEN", "~", MAX_STREAM_LENGTH, "*", "event", JSON.stringify(payload));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    },
    consume(options) {
      // A blocking read holds its connection: each consumer has its own.
      const client = createRedisClient(url, logger, `stream-${options.group}`, { profile: "background" });
      const consumer = new RedisConsumer(client, writer, prefix, options, settings, logger);
      consumers.add(consumer);
      consumer.run().finally(() => consumers.delete(consumer));
      return consumer;
    },
    async deadLetters(stream, group) {
      const entries = (await writer.xrange(prefix + deadLetterStream(stream, group), "-", "+")) as RawEntry[];
      return entries.map(([, fields]) => ({
        id: fieldOf(fields, "id") ?? "",
        payload: JSON.parse(fieldOf(fields, "event") ?? "null"),
        error: fieldOf(fields, "error") ?? "",
        deliveries: Number(fieldOf(fields, "deliveries") ?? 0),
      }));
    },
    purgeReader: (userId) => purgeReaderFromRedis(writer, prefix, userId),
    async close() {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      await writer.quit().catch(() => writer.disconnect());
    },
  };
}

class RedisConsumer implements StreamConsumer {
  acknowledged = 0;
  #stopped = false;
  #done: Promise<void> | undefined;
  #lastClaimAt = 0;
  /** In a blocking XREADGROUP, which stop() may cut short (never while an event is being handled). */
  #blocking = false;
  readonly #key: string;
  readonly #errorsKey: string;
  readonly #purgesKey: string;

  constructor(
    private readonly client: Redis,
    private readonly writer: Redis,
    private readonly prefix: string,
    private readonly options: ConsumeOptions,
    private readonly settings: StreamSettings,
    private readonly logger: Logger,
  ) {
    this.#key = prefix + options.stream;
    // The last error of each failing event, kept beside the group so any consumer can park it with its cause.
    this.#errorsKey = `${this.#key}:errors:${options.group}`;
    this.#purgesKey = purgeCounterKey(prefix);
  }

  get group(): string {
    return this.options.group;
  }

  run(): Promise<void> {
    this.#done = (async () => {
      let failing = false;
      while (!this.#stopped) {
        try {
          await this.#ensureGroup();
          // Our own pending events first: a restart under the same name resumes exactly where it stopped.
          await this.#process(await this.#read("0"), false);
          while (!this.#stopped) {
            if (Date.now() - this.#lastClaimAt >= this.settings.claimIdleMs / 2) await this.#process(await this.#claimIdle(), true);
            await this.#process(await this.#read(">"), false);
            failing = false;
          }
        } catch (error) {
          if (this.#stopped) break;
          if (!failing) this.logger.warn({ err: error, group: this.group }, "stream read failed; retrying");
          failing = true;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      this.client.disconnect();
    })();
    return this.#done;
  }

  async #ensureGroup(): Promise<void> {
    try {
      // From the start of the stream: events appended before the group first existed are not skipped.
      await this.client.xgroup("CREATE", this.#key, this.group, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    }
  }

  async #read(from: "0" | ">"): Promise<Batch> {
    const args: (string | number)[] = ["GROUP", this.group, this.options.consumer, "COUNT", this.settings.batchSize];
    if (from === ">") args.push("BLOCK", BLOCK_MS);
    args.push("STREAMS", this.#key, from);
    this.#blocking = from === ">";
    let results: [Error | null, unknown][];
    try {
      // The counter first, on the same connection: a purge after it is noticed before the batch is handled.
      results = (await this.client.pipeline().get(this.#purgesKey).call("XREADGROUP", ...args).exec()) ?? [];
    } finally {
      this.#blocking = false;
    }
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    const reply = results[1]?.[1] as [string, RawEntry[]][] | null;
    const entries = await this.#withoutDeleted(reply?.[0]?.[1] ?? []);
    const purges = Number(results[0]?.[1] ?? 0);
    if (from === "0" && entries.length > 0) return { messages: await this.#withDeliveries(entries), purges };
    return { messages: entries.map(([id, fields]) => this.#message(id, fields, 1)), purges };
  }

  /** Events another consumer (dead, or failing on them) has held longer than claimIdleMs. */
  async #claimIdle(): Promise<Batch> {
    this.#lastClaimAt = Date.now();
    const results = (await this.client.pipeline().get(this.#purgesKey).call(
      "XAUTOCLAIM", this.#key, this.group, this.options.consumer, this.settings.claimIdleMs, "0-0", "COUNT", this.settings.batchSize,
    ).exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    const reply = results[1]![1] as [string, (RawEntry | null)[], string[]?];
    const entries = await this.#withoutDeleted((reply[1] ?? []).filter((entry): entry is RawEntry => entry !== null));
    // Deleted (purged or trimmed) while pending: nothing left to process, only the pending entry to drop.
    const deleted = reply[2] ?? [];
    if (deleted.length > 0) await this.client.xack(this.#key, this.group, ...deleted);
    return { messages: await this.#withDeliveries(entries), purges: Number(results[0]![1] ?? 0) };
  }

  /** Acknowledges, without handling, the entries deleted while pending (their id comes back with no fields). */
  async #withoutDeleted(entries: RawEntry[]): Promise<[string, string[]][]> {
    const deleted = entries.filter(([, fields]) => !Array.isArray(fields)).map(([id]) => id);
    if (deleted.length > 0) {
      await this.client.xack(this.#key, this.group, ...deleted);
      await this.writer.hdel(this.#errorsKey, ...deleted).catch(() => {});
    }
    return entries.filter((entry): entry is [string, string[]] => Array.isArray(entry[1]));
  }

  async #withDeliveries(entries: [string, string[]][]): Promise<StreamMessage[]> {
    if (entries.length === 0) return [];
    const pending = (await this.client.xpending(this.#key, this.group, entries[0]![0], entries[entries.length - 1]![0], entries.length * 2)) as [string, string, number, number][];
    const deliveries = new Map(pending.map(([id, , , count]) => [id, Number(count)]));
    return entries.map(([id, fields]) => this.#message(id, fields, deliveries.get(id) ?? 1));
  }

  #message(id: string, fields: string[] | null, deliveries: number): StreamMessage {
    const raw = fieldOf(fields, "event");
    let payload: unknown;
    try {
      payload = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      payload = raw;
    }
    return { id, payload, deliveries };
  }

  async #process({ messages, purges }: Batch, claimed: boolean): Promise<void> {
    if (messages.length === 0) return;
    // The purge counter the rest of the batch is known to exist at, and its latest value (undefined: to be read).
    let verified = purges;
    let current: number | undefined = purges;
    let purged = new Set<string>();
    for (const [index, message] of messages.entries()) {
      if (this.#stopped) return;
      current ??= Number((await this.writer.get(this.#purgesKey)) ?? 0);
      if (current !== verified) {
        // A reader was erased since: whatever of theirs this batch still holds must not be handled.
        purged = await missingEntries(this.writer, this.#key, messages.slice(index).map((rest) => rest.id));
        verified = current;
      }
      if (purged.has(message.id)) {
        await this.client.xack(this.#key, this.group, message.id);
        continue;
      }
      current = undefined;
      if (message.deliveries > this.settings.maxDeliveries) {
        await this.#park(message);
        continue;
      }
      try {
        await this.options.handle(message);
      } catch (error) {
        this.logger.warn({ err: error, group: this.group, id: message.id, deliveries: message.deliveries, claimed }, "stream event failed; it will be retried");
        await this.writer.hset(this.#errorsKey, message.id, errorText(error)).catch(() => {});
        continue;
      }
      // The acknowledgement brings the purge counter back with it: no extra round trip per event.
      const acknowledged = (await this.client.pipeline().xack(this.#key, this.group, message.id).get(this.#purgesKey).exec()) ?? [];
      const failed = acknowledged.find(([error]) => error);
      if (failed) throw failed[0];
      current = Number(acknowledged[1]?.[1] ?? 0);
      if (message.deliveries > 1) await this.writer.hdel(this.#errorsKey, message.id).catch(() => {});
      this.acknowledged += 1;
    }
    this.options.afterBatch?.();
  }

  async #park(message: StreamMessage): Promise<void> {
    const error = (await this.writer.hget(this.#errorsKey, message.id)) ?? "unknown";
    await this.writer.xadd(
      this.prefix + deadLetterStream(this.options.stream, this.group), "*",
      "id", message.id, "event", JSON.stringify(message.payload ?? null), "error", error, "deliveries", String(message.deliveries - 1),
    );
    await this.client.xack(this.#key, this.group, message.id);
    await this.writer.hdel(this.#errorsKey, message.id);
    this.logger.error({ group: this.group, id: message.id, error }, "stream event parked in the dead-letter stream");
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.#done;
    this.#stopped = true;
    // Ends a blocked read now rather than after BLOCK_MS; an event being handled is finished and acknowledged first.
    if (this.#blocking) this.client.disconnect();
    await this.#done?.catch(() => {});
  }
}
