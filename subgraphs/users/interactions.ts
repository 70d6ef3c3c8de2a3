import type { InteractionType, Prisma } from "../../lib/db/database.ts";
import { Topics } from "../../lib/pubsub.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";

/** Payload of Topics.INTERACTION: a user's interest in a book, as stored in `interactions`. */
export interface InteractionEvent {
  userId: number;
  bookId: number;
  type: InteractionType;
  /** The stars for RATE (and REVIEW with a rating); null otherwise. */
  value: number | null;
  /** ISO 8601, so in-process and Redis subscribers see the same shape. */
  occurredAt: string;
}

/** Collects the interactions a transaction writes, to publish them only once it has committed. */
export class InteractionLog {
  readonly #events: InteractionEvent[] = [];
  readonly #tx: Prisma.TransactionClient;

  constructor(tx: Prisma.TransactionClient) {
    this.#tx = tx;
  }

  async record(userId: number, bookId: number, type: InteractionType, value: number | null = null): Promise<void> {
    const row = await this.#tx.interaction.create({ data: { userId, bookId, type, value } });
    this.#events.push({ userId, bookId, type, value, occurredAt: row.occurredAt.toISOString() });
  }

  get events(): readonly InteractionEvent[] {
    return this.#events;
  }
}

/**
 * Runs a mutation in one transaction and then publishes the interactions it
 * recorded. Subscribers never hear of a change that rolled back; a bus outage
 * after commit is logged, not reported as a failed mutation that did happen.
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
  for (const event of log?.events ?? []) {
    try {
      await context.runtime.pubsub.publish(Topics.INTERACTION, event);
    } catch (error) {
      context.logger.error({ err: error, event }, "could not publish an interaction");
    }
  }
  return result;
}
