import type { Database, SqlConnection } from "../../lib/db/database.ts";

/** Runs `work` in one transaction on one connection: all of it is written, or none. */
export async function inTransaction<T>(db: Database, work: (connection: SqlConnection) => Promise<T>): Promise<T> {
  return db.withConnection(async (connection) => {
    await connection.exec("BEGIN");
    try {
      const result = await work(connection);
      await connection.exec("COMMIT");
      return result;
    } catch (error) {
      await connection.exec("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}

/**
 * Whether PostgreSQL refused the data rather than failed: SQLSTATE classes 22
 * (data exception) and 23 (integrity constraint violation).
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
