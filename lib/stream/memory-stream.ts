import type { Logger } from "../logger.ts";
import {
  concernsReader,
  errorText,
  type ConsumeOptions,
  type DeadLetter,
  type DurableStream,
  type StreamConsumer,
  type StreamMessage,
  type StreamSettings,
} from "./durable-stream.ts";

interface Entry {
  readonly seq: number;
  readonly payload: unknown;
}

interface Pending {
  deliveries: number;
  consumer: string;
  since: number;
  error: string | undefined;
}

interface Group {
  /** Sequence number of the next event no consumer of the group has read yet. */
  next: number;
  readonly pending: Map<number, Pending>;
  readonly dead: DeadLetter[];
}

interface Log {
  readonly entries: Entry[];
  nextSeq: number;
  readonly groups: Map<string, Group>;
  readonly waiters: Set<() => void>;
}

/** Entries every group has read are dropped once the log holds more than this. */
const RETAINED_ENTRIES = 10_000;

/**
 * The embedded mode's stream: the same group semantics as Redis Streams (each
 * group reads every event once, pending until acknowledged, retried, parked), held
 * in this process. It survives a consumer's stop and restart, not the process's.
 */
export function createMemoryStream(settings: StreamSettings, logger: Logger): DurableStream {
  const logs = new Map<string, Log>();
  const consumers = new Set<MemoryConsumer>();
  const logOf = (stream: string): Log => {
    let log = logs.get(stream);
    if (!log) {
      log = { entries: [], nextSeq: 1, groups: new Map(), waiters: new Set() };
      logs.set(stream, log);
    }
    return log;
  };
  const groupOf = (log: Log, name: string): Group => {
    let group = log.groups.get(name);
    if (!group) {
      // A new group starts at the oldest retained event, as a Redis group created at "0".
      group = { next: log.entries[0]?.seq ?? log.nextSeq, pending: new Map(), dead: [] };
      log.groups.set(name, group);
    }
    return group;
  };
  const trim = (log: Log) => {
    if (log.entries.length <= RETAINED_ENTRIES) return;
    let keepFrom = Math.min(...[...log.groups.values()].map((group) => Math.min(group.next, ...group.pending.keys())));
    keepFrom = Math.max(keepFrom, log.entries[log.entries.length - 1]!.seq - RETAINED_ENTRIES);
    const drop = log.entries.findIndex((entry) => entry.seq >= keepFrom);
    if (drop > 0) log.entries.splice(0, drop);
  };

  return {
    kind: "memory",
    async append(stream, payloads) {
      const log = logOf(stream);
      // A JSON round trip, as through Redis: a consumer never shares (or mutates) the publisher's object.
      for (const payload of payloads) log.entries.push({ seq: log.nextSeq++, payload: JSON.parse(JSON.stringify(payload)) });
      trim(log);
      for (const wake of [...log.waiters]) wake();
    },
    consume(options) {
      const log = logOf(options.stream);
      const consumer = new MemoryConsumer(log, groupOf(log, options.group), options, settings, logger);
      consumers.add(consumer);
      consumer.run().finally(() => consumers.delete(consumer));
      return consumer;
    },
    async deadLetters(stream, group) {
      return [...(logs.get(stream)?.groups.get(group)?.dead ?? [])];
    },
    async purgeReader(userId) {
      let removed = 0;
      for (const log of logs.values()) {
        const purged = new Set<number>();
        const kept = log.entries.filter((entry) => !(concernsReader(entry.payload, userId) && purged.add(entry.seq)));
        log.entries.splice(0, log.entries.length, ...kept);
        removed += purged.size;
        for (const group of log.groups.values()) {
          // A consumer holding one of these in its batch finds neither entry nor pending record, and skips it.
          for (const seq of purged) group.pending.delete(seq);
          const dead = group.dead.filter((letter) => !concernsReader(letter.payload, userId));
          removed += group.dead.length - dead.length;
          group.dead.splice(0, group.dead.length, ...dead);
        }
      }
      return removed;
    },
    async close() {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
    },
  };
}

class MemoryConsumer implements StreamConsumer {
  acknowledged = 0;
  #stopped = false;
  #done: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly log: Log,
    private readonly state: Group,
    private readonly options: ConsumeOptions,
    private readonly settings: StreamSettings,
    private readonly logger: Logger,
  ) {}

  get group(): string {
    return this.options.group;
  }

  run(): Promise<void> {
    this.#done = (async () => {
      while (!this.#stopped) {
        const batch = this.#claim();
        if (batch.length === 0) {
          await this.#idle();
          continue;
        }
        for (const seq of batch) {
          if (this.#stopped) break;
          await this.#deliver(seq);
        }
        this.options.afterBatch?.();
      }
    })();
    return this.#done;
  }

  /** Pending events idle past claimIdleMs (their consumer died or failed), then new ones. */
  #claim(): number[] {
    const now = Date.now();
    const batch: number[] = [];
    for (const [seq, pending] of this.state.pending) {
      if (batch.length >= this.settings.batchSize) return batch;
      if (now - pending.since >= this.settings.claimIdleMs) {
        pending.consumer = this.options.consumer;
        pending.since = now;
        pending.deliveries += 1;
        batch.push(seq);
      }
    }
    while (batch.length < this.settings.batchSize && this.state.next < this.log.nextSeq) {
      const seq = this.state.next++;
      this.state.pending.set(seq, { deliveries: 1, consumer: this.options.consumer, since: now, error: undefined });
      batch.push(seq);
    }
    return batch;
  }

  async #deliver(seq: number): Promise<void> {
    const pending = this.state.pending.get(seq);
    const entry = this.log.entries.find((candidate) => candidate.seq === seq);
    if (!pending) return;
    if (!entry) {
      this.state.pending.delete(seq);
      return;
    }
    const id = String(seq);
    if (pending.deliveries > this.settings.maxDeliveries) {
      this.state.dead.push({ id, payload: entry.payload, error: pending.error ?? "unknown", deliveries: pending.deliveries - 1 });
      this.state.pending.delete(seq);
      this.logger.error({ group: this.group, id, error: pending.error }, "stream event parked in the dead-letter list");
      return;
    }
    const message: StreamMessage = { id, payload: entry.payload, deliveries: pending.deliveries };
    try {
      await this.options.handle(message);
      this.state.pending.delete(seq);
      this.acknowledged += 1;
    } catch (error) {
      pending.error = errorText(error);
      this.logger.warn({ err: error, group: this.group, id, deliveries: pending.deliveries }, "stream event failed; it will be retried");
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.log.waiters.delete(wake);
        this.#wake = undefined;
        resolve();
      };
      // Woken by an append, or after a while to claim retries.
      const timer = setTimeout(wake, Math.max(10, Math.min(this.settings.claimIdleMs, 1000)));
      this.log.waiters.add(wake);
      this.#wake = wake;
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#done;
  }
}
