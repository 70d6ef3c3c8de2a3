import type { SqlConnection } from "./database.ts";

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock on `connection`,
 * so only one process at a time (across machines sharing the database) does it.
 * `onWait` is called once if another session holds the lock and we have to queue.
 *
 * On PGlite the single in-process session makes the lock re-entrant: callers in
 * the same process must serialize themselves.
 */
export async function withAdvisoryLock<T>(
  connection: SqlConnection,
  key: number,
  work: () => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  const [attempt] = await connection.query<{ acquired: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS acquired", [key]);
  if (!attempt?.acquired) {
    onWait?.();
    await connection.query("SELECT pg_advisory_lock($1::bigint)", [key]);
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // The original failure matters more than a failed unlock (the lock dies with the session anyway).
    await connection.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => {});
    throw error;
  }
  await connection.query("SELECT pg_advisory_unlock($1::bigint)", [key]);
  return result;
}
