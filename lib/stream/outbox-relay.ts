import { Prisma, type PrismaClient } from "../db/database.ts";
import { inPrismaTransaction } from "../db/transaction.ts";
import type { Logger } from "../logger.ts";
import type { DurableStream } from "./durable-stream.ts";

/** Rows moved per transaction. */
const BATCH = 500;

interface OutboxRow {
  id: bigint;
  stream: string;
  payload: unknown;
}

export interface OutboxRelayOptions {
  prisma: PrismaClient;
  stream: DurableStream;
  logger: Logger;
  /** The sweep that finds rows nobody woke the relay for (a crashed writer, a stream outage). */
  pollMs: number;
  /** Told of each event once it is on the stream (live, best-effort fan-out such as subscriptions). */
  onRelayed?(stream: string, payloads: readonly unknown[]): void;
}

/**
 * Moves outbox rows to the durable stream in id order and deletes them in the same
 * transaction: a row leaves the outbox only once the stream has it. Rows are locked
 * with SKIP LOCKED, so relays in several processes share the work instead of
 * duplicating it; a relay that dies between append and commit leaves its rows to be
 * appended again (at-least-once: consumers tolerate a repeat).
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #failing = false;
  relayed = 0;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** A writer committed rows: relay them now (coalesced with a run in progress). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Relays everything committed so far; resolves once the outbox is empty (or the stream refused). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const moved = await inPrismaTransaction(this.#options.prisma, async (tx) => {
          const rows = await tx.$queryRaw<OutboxRow[]>(Prisma.sql`
            SELECT id, stream, payload FROM event_outbox ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`);
          if (rows.length === 0) return [];
          const byStream = new Map<string, unknown[]>();
          for (const row of rows) {
            const payload = typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload;
            byStream.set(row.stream, [...(byStream.get(row.stream) ?? []), payload]);
          }
          for (const [stream, payloads] of byStream) await this.#options.stream.append(stream, payloads);
          await tx.$executeRaw(Prisma.sql`DELETE FROM event_outbox WHERE id IN (${Prisma.join(rows.map((row) => row.id))})`);
          return [...byStream];
        });
        if (moved.length === 0) break;
        for (const [stream, payloads] of moved) {
          this.relayed += payloads.length;
          this.#options.onRelayed?.(stream, payloads);
        }
        if (this.#failing) this.#options.logger.info("outbox relay recovered");
        this.#failing = false;
      }
    } catch (error) {
      // The rows stay in the outbox; the next sweep tries again. One line per outage, not per sweep.
      if (!this.#failing) this.#options.logger.error({ err: error }, "outbox relay failed; events wait in the outbox");
      this.#failing = true;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
