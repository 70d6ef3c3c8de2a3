import type { SqlConnection } from "../../lib/db/database.ts";
import type { Logger } from "../../lib/logger.ts";
import { quoteIdentifier } from "./bulk-insert.ts";

/**
 * The classic bulk-load recipe (what pg_restore does): drop the foreign keys and
 * secondary indexes of the big tables, load, then rebuild each index in one sort
 * and validate each foreign key in one join. Row-by-row index maintenance and
 * per-row FK triggers are most of the cost of loading 300k ratings otherwise.
 *
 * Definitions are read back from the catalog (pg_get_indexdef / pg_get_constraintdef)
 * and recreated under the same names, so the schema ends exactly as migrations made
 * it; everything happens inside the caller's transaction, so a failure rolls the
 * drops back too. Primary keys and unique indexes stay: they guard the load itself.
 * `work` learns whether the foreign keys are really off (they stay when we do not
 * own the tables), i.e. whether it may insert in an order they would reject.
 */
export async function withIndexesDeferred<T>(
  connection: SqlConnection,
  tables: readonly string[],
  work: (deferred: boolean) => Promise<T>,
  logger?: Logger,
): Promise<T> {
  if (!(await ownsTables(connection, tables))) {
    // Only the owner may drop indexes; anyone who may insert can still load, just slower.
    logger?.debug({ tables }, "not the tables' owner: loading with indexes and foreign keys in place");
    return work(false);
  }
  const foreignKeys = await connection.query<{ table: string; name: string; definition: string }>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
      ORDER BY c.relname, k.conname`,
    [tables],
  );
  const indexes = await connection.query<{ name: string; definition: string }>(
    `SELECT x.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
        AND NOT i.indisprimary AND NOT i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY x.relname`,
    [tables],
  );

  for (const key of foreignKeys) await connection.exec(`ALTER TABLE ${quoteIdentifier(key.table)} DROP CONSTRAINT ${quoteIdentifier(key.name)}`);
  for (const index of indexes) await connection.exec(`DROP INDEX ${quoteIdentifier(index.name)}`);

  const result = await work(true);

  const started = performance.now();
  for (const index of indexes) await connection.exec(index.definition);
  for (const key of foreignKeys) await connection.exec(`ALTER TABLE ${quoteIdentifier(key.table)} ADD CONSTRAINT ${quoteIdentifier(key.name)} ${key.definition}`);
  logger?.debug({ indexes: indexes.length, foreignKeys: foreignKeys.length, ms: Math.round(performance.now() - started) }, "rebuilt deferred indexes and foreign keys");
  return result;
}

async function ownsTables(connection: SqlConnection, tables: readonly string[]): Promise<boolean> {
  const [row] = await connection.query<{ owns: boolean | null }>(
    `SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) AS owns
       FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])`,
    [tables],
  );
  return row?.owns === true;
}
