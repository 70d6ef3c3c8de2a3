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

/** Approximate cap on a stream's length (XADD MAXLEN ~): weeks of interactions at the design's rates, bounded memory. */
const MAX_STREAM_LENGTH = 1_000_000;
/** How long one XREADGROUP blocks: also how quickly a stopping consumer notices. */
const BLOCK_MS = 1000;

type RawEntry = [id: string, fields: string[]];

const fieldOf = (fields: string[], name: string): string | undefined => {
  for (let index = 0; index < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
};

/**
 * Redis Streams with consumer groups: XADD to append, XREADGROUP to read, XACK
 * after the handler succeeded, XAUTOCLAIM to take over events left pending by a
 * dead (or failing) consumer, and a dead-letter stream per group for events that
 * failed `maxDeliveries` times, each with its last error. Keys are `prefix + stream`.
 */
export function createRedisStream(url: string, prefix: string, settings: StreamSettings, logger: Logger): DurableStream {
  const writer = createRedisClient(url, logger, "stream-writer");
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
      const client = createRedisClient(url, logger, `stream-${options.group}`);
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

  async #read(from: "0" | ">"): Promise<StreamMessage[]> {
    const args: (string | number)[] = ["GROUP", this.group, this.options.consumer, "COUNT", this.settings.batchSize];
    if (from === ">") args.push("BLOCK", BLOCK_MS);
    args.push("STREAMS", this.#key, from);
    this.#blocking = from === ">";
    let reply: [string, RawEntry[]][] | null;
    try {
      reply = (await this.client.call("XREADGROUP", ...args)) as [string, RawEntry[]][] | null;
    } finally {
      this.#blocking = false;
    }
    const entries = reply?.[0]?.[1] ?? [];
    if (from === "0" && entries.length > 0) return this.#withDeliveries(entries);
    return entries.map(([id, fields]) => this.#message(id, fields, 1));
  }

  /** Events another consumer (dead, or failing on them) has held longer than claimIdleMs. */
  async #claimIdle(): Promise<StreamMessage[]> {
    this.#lastClaimAt = Date.now();
    const reply = (await this.client.call(
      "XAUTOCLAIM", this.#key, this.group, this.options.consumer, this.settings.claimIdleMs, "0-0", "COUNT", this.settings.batchSize,
    )) as [string, (RawEntry | null)[], string[]?];
    const entries = (reply[1] ?? []).filter((entry): entry is RawEntry => entry !== null && Array.isArray(entry[1]));
    // Trimmed away while pending: nothing left to process, only the pending entry to drop.
    const deleted = reply[2] ?? [];
    if (deleted.length > 0) await this.client.xack(this.#key, this.group, ...deleted);
    return this.#withDeliveries(entries);
  }

  async #withDeliveries(entries: RawEntry[]): Promise<StreamMessage[]> {
    if (entries.length === 0) return [];
    const pending = (await this.client.xpending(this.#key, this.group, entries[0]![0], entries[entries.length - 1]![0], entries.length * 2)) as [string, string, number, number][];
    const deliveries = new Map(pending.map(([id, , , count]) => [id, Number(count)]));
    return entries.map(([id, fields]) => this.#message(id, fields, deliveries.get(id) ?? 1));
  }

  #message(id: string, fields: string[], deliveries: number): StreamMessage {
    const raw = fieldOf(fields, "event");
    let payload: unknown;
    try {
      payload = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      payload = raw;
    }
    return { id, payload, deliveries };
  }

  async #process(messages: StreamMessage[], claimed: boolean): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) {
      if (this.#stopped) return;
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
      await this.client.xack(this.#key, this.group, message.id);
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
