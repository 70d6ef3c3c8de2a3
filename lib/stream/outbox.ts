import type { Prisma, SqlConnection } from "../db/database.ts";

/**
 * Writes events to the outbox inside the caller's transaction: they exist exactly
 * when the change they announce committed, whether or not the stream is reachable.
 */
export async function appendToOutbox(tx: Prisma.TransactionClient, stream: string, payloads: readonly object[]): Promise<void> {
  if (payloads.length === 0) return;
  await tx.eventOutbox.createMany({ data: payloads.map((payload) => ({ stream, payload: payload as Prisma.InputJsonValue })) });
}

/**
 * Erasure, inside the caller's transaction: deletes the reader's events not yet
 * relayed. A relay holding some of them (FOR UPDATE) makes this wait until it has
 * moved them, so they are then on the stream, where `DurableStream.purgeReader`
 * (called after the commit) finds them. Returns how many rows went.
 */
export async function purgeReaderFromOutbox(connection: SqlConnection, userId: number): Promise<number> {
  const [gone] = await connection.query<{ n: number }>(
    `WITH gone AS (DELETE FROM event_outbox WHERE payload->>'userId' = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [String(userId)],
  );
  return gone?.n ?? 0;
}
