import type { Prisma, PrismaClient } from "../../lib/db/database.ts";

/**
 * Prisma's defaults (2 s to start, 5 s to finish) are tight for PGlite, where every
 * transaction waits its turn on the one embedded session; a burst of writes would
 * then fail to start rather than queue. These changes are small, so waiting is right.
 */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export function inTransaction<T>(prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(work, TRANSACTION_OPTIONS);
}
