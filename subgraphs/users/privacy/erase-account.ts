import type { SqlConnection } from "../../../lib/db/database.ts";
import { purgeReaderFromOutbox } from "../../../lib/stream/outbox.ts";
import { quoteIdentifier, readerReferences, referenceMatches } from "../../../lib/privacy/reader-references.ts";

export type ErasureMode = "delete" | "anonymise";

/**
 * References that outlive the reader, de-identified by their foreign key's SET NULL:
 * an administrator's audit trail stays (who did it becomes unknown), as the law on
 * records of processing asks, while nothing in it describes the reader.
 */
const RETAINED = new Set(["audit_logs.actor_id"]);

/** The source of the placeholder accounts that anonymised ratings and reviews move to; training skips them. */
export const ERASED_SOURCE = "erased";

export interface ErasureSummary {
  readonly mode: ErasureMode;
  /** Rows deleted per table.column (cascades through the users row are counted under their table too). */
  readonly removed: Record<string, number>;
  /** Ratings and reviews kept for the catalogue under a placeholder account (anonymise mode). */
  readonly anonymised: number;
}

/**
 * Deletes a reader in one transaction: every row of every column that refers to
 * them (found in the catalogs, so a table added later is covered), then the
 * account itself, then an audit entry that records the erasure and nothing of the
 * person. In "anonymise" mode their ratings and reviews first move to a new
 * placeholder account with no profile, so books keep their ratings and texts.
 * Returns null when there is no such reader.
 */
export async function eraseReader(connection: SqlConnection, userId: number, options: { mode: ErasureMode; requestId: string | null }): Promise<ErasureSummary | null> {
  await connection.exec("BEGIN");
  try {
    const [found] = await connection.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [userId]);
    if (!found) {
      await connection.exec("ROLLBACK");
      return null;
    }
    let anonymised = 0;
    if (options.mode === "anonymise") {
      const [held] = await connection.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM ratings WHERE user_id = $1) + (SELECT count(*) FROM reviews WHERE user_id = $1) AS n`,
        [userId],
      );
      if (Number(held?.n ?? 0) > 0) {
        const [placeholder] = await connection.query<{ id: number }>(
          `INSERT INTO users (display_name, source) VALUES ('Deleted reader', $1) RETURNING id`,
          [ERASED_SOURCE],
        );
        for (const table of ["ratings", "reviews"]) {
          const moved = await connection.query(`UPDATE ${table} SET user_id = $2 WHERE user_id = $1 RETURNING 1`, [userId, placeholder!.id]);
          anonymised += moved.length;
        }
      }
    }
    const removed: Record<string, number> = {};
    for (const reference of await readerReferences(connection)) {
      const name = `${reference.table}.${reference.column}`;
      if (reference.table === "users" || RETAINED.has(name)) continue;
      const [deleted] = await connection.query<{ n: number }>(
        `WITH gone AS (DELETE FROM ${quoteIdentifier(reference.table)} WHERE ${referenceMatches(reference, 1)} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        [userId],
      );
      if (deleted && deleted.n > 0) removed[name] = deleted.n;
    }
    // Events about the reader not yet relayed to the stream (the transactional outbox) go with them.
    const outbox = await purgeReaderFromOutbox(connection, userId);
    if (outbox > 0) removed["event_outbox.payload"] = outbox;
    // Audit entries about the reader (not by them) describe them: they go too.
    await connection.query(`DELETE FROM audit_logs WHERE entity_type = 'User' AND entity_id = $1`, [String(userId)]);
    await connection.query(`DELETE FROM users WHERE id = $1`, [userId]);
    const summary: ErasureSummary = { mode: options.mode, removed, anonymised };
    await connection.query(
      `INSERT INTO audit_logs (action, entity_type, entity_id, after, request_id) VALUES ('account.deleted', 'User', $1, $2::jsonb, $3)`,
      [String(userId), JSON.stringify(summary), options.requestId],
    );
    await connection.exec("COMMIT");
    return summary;
  } catch (error) {
    await connection.exec("ROLLBACK").catch(() => {});
    throw error;
  }
}
