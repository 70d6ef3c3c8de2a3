/**
 * An append-only log of events read by consumer groups: each group sees every
 * event, each event is handled by one consumer of the group and acknowledged only
 * after its handler succeeded. A consumer that dies leaves its events pending and
 * another (or itself, restarted) claims them; an event whose handler keeps failing
 * is parked in the dead-letter list with its error after `maxDeliveries` attempts.
 * Redis Streams when REDIS_URL is set, an in-process equivalent otherwise.
 */
export interface DurableStream {
  readonly kind: "memory" | "redis";
  append(stream: string, payloads: readonly unknown[]): Promise<void>;
  consume(options: ConsumeOptions): StreamConsumer;
  /** Parked events of a group, oldest first (operators inspect and replay them). */
  deadLetters(stream: string, group: string): Promise<DeadLetter[]>;
  /**
   * Erasure: deletes every event about the reader (`payload.userId`) from every
   * stream and dead-letter list, acknowledged or still pending, and returns how many.
   * A consumer that already read such an event but has not yet handled it skips it.
   */
  purgeReader(userId: number): Promise<number>;
  close(): Promise<void>;
}

export interface StreamMessage {
  readonly id: string;
  readonly payload: unknown;
  /** 1 on the first attempt. */
  readonly deliveries: number;
}

export interface ConsumeOptions {
  stream: string;
  group: string;
  /** Unique among the group's live consumers; a restarted process that keeps its name resumes its own pending events at once. */
  consumer: string;
  /** Throwing leaves the event pending: it is retried after `claimIdleMs`, parked after `maxDeliveries` attempts. */
  handle(message: StreamMessage): Promise<void>;
  /** Called after each batch of handled events (a consumer that aggregates, like trending, acts once per batch). */
  afterBatch?(): void;
}

export interface StreamConsumer {
  readonly group: string;
  /** Events handled and acknowledged by this consumer. */
  readonly acknowledged: number;
  stop(): Promise<void>;
}

export interface DeadLetter {
  readonly id: string;
  readonly payload: unknown;
  readonly error: string;
  readonly deliveries: number;
}

export interface StreamSettings {
  /** Attempts before an event is parked. */
  maxDeliveries: number;
  /** How long an event may stay unacknowledged before another consumer claims it (its consumer died, or it failed). */
  claimIdleMs: number;
  /** Events read per round trip. */
  batchSize: number;
}

export const deadLetterStream = (stream: string, group: string) => `${stream}:dead:${group}`;

/** Whether an event is about this reader: every event that names a reader does so as `userId`. */
export function concernsReader(payload: unknown, userId: number): boolean {
  return typeof payload === "object" && payload !== null && (payload as { userId?: unknown }).userId === userId;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
