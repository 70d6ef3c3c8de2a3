import type { Prisma } from "../db/database.ts";

/**
 * Writes events to the outbox inside the caller's transaction: they exist exactly
 * when the change they announce committed, whether or not the stream is reachable.
 */
export async function appendToOutbox(tx: Prisma.TransactionClient, stream: string, payloads: readonly object[]): Promise<void> {
  if (payloads.length === 0) return;
  await tx.eventOutbox.createMany({ data: payloads.map((payload) => ({ stream, payload: payload as Prisma.InputJsonValue })) });
}
