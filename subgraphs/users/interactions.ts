import type { InteractionType, Prisma } from "../../lib/db/database.ts";
import type { InteractionEvent } from "../../lib/events/interaction.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { INTERACTIONS_STREAM } from "../../lib/stream/index.ts";
import { appendToOutbox } from "../../lib/stream/outbox.ts";

export type { InteractionEvent };

/**
 * Records the interactions a transaction writes, each with its event in the outbox
 * of the same transaction: the stream hears of exactly the changes that committed,
 * even when it is down at the time (the relay delivers them when it is back).
 */
export class InteractionLog {
  readonly #tx: Prisma.TransactionClient;
  #recorded = 0;

  constructor(tx: Prisma.TransactionClient) {
    this.#tx = tx;
  }

  async record(userId: number, bookId: number, type: InteractionType, value: number | null = null, reviewId: number | null = null): Promise<void> {
    const row = await this.#tx.interaction.create({ data: { userId, bookId, type, value } });
    const event: InteractionEvent = { userId, bookId, type, value, occurredAt: row.occurredAt.toISOString(), ...(reviewId === null ? {} : { reviewId }) };
    await appendToOutbox(this.#tx, INTERACTIONS_STREAM, [event]);
    this.#recorded += 1;
  }

  get recorded(): number {
    return this.#recorded;
  }
}

/**
 * Runs a mutation in one transaction with its interactions and their outbox events,
 * then wakes the relay so the events reach the stream now rather than at its next sweep.
 */
export async function mutateWithInteractions<T>(
  context: RequestContext,
  work: (tx: Prisma.TransactionClient, interactions: InteractionLog) => Promise<T>,
): Promise<T> {
  let log: InteractionLog | undefined;
  const result = await inPrismaTransaction(context.runtime.db.prisma, async (tx) => {
    log = new InteractionLog(tx);
    return work(tx, log);
  });
  if (log && log.recorded > 0) context.runtime.outbox.wake();
  return result;
}
