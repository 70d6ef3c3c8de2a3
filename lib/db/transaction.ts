import type { Prisma, PrismaClient, SqlConnection, SqlDatabase } from "./database.ts";

/** Runs `work` between BEGIN and COMMIT on `connection`; any error rolls all of it back and is rethrown. */
export async function withTransaction<T>(connection: SqlConnection, work: () => Promise<T>): Promise<T> {
  await connection.exec("BEGIN");
  try {
    const result = await work();
    await connection.exec("COMMIT");
    return result;
  } catch (error) {
    await connection.exec("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Runs `work` in one transaction on one connection of `db`: all of it lands, or none. */
export function inTransaction<T>(db: SqlDatabase, work: (connection: SqlConnection) => Promise<T>): Promise<T> {
  return db.withConnection((connection) => withTransaction(connection, () => work(connection)));
}

/**
 * Prisma's defaults (2 s to start, 5 s to finish) are tight for PGlite, where every
 * transaction waits its turn on the one embedded session; a burst of writes would
 * then fail to start rather than queue. Request-sized changes are small, so waiting is right.
 */
const PRISMA_TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/** An interactive Prisma transaction with limits that suit both PGlite and PostgreSQL. */
export function inPrismaTransaction<T>(prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(work, PRISMA_TRANSACTION_OPTIONS);
}
