import type { SqlConnection } from "../db/database.ts";

/** A column that holds a reader's id: a foreign key to users(id), or a column named like one. */
export interface ReaderReference {
  readonly table: string;
  readonly column: string;
  /** SQL type of the column (integer, bigint, text...): comparisons cast the id to it so its index is used. */
  readonly type: string;
  /** The foreign key's ON DELETE action ("CASCADE", "SET NULL", ...), or null when there is no foreign key. */
  readonly onDelete: string | null;
}

const ON_DELETE: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

/**
 * Every column of the public schema that can hold a reader's id, read from the
 * catalogs rather than listed by hand: a table added later is exported, erased
 * and checked by the erasure test without anyone remembering to list it.
 * Columns named user_id (or *_user_id) count even without a foreign key (an
 * outbox or a log written before the user row exists may have none).
 */
export async function readerReferences(connection: SqlConnection): Promise<ReaderReference[]> {
  const foreignKeys = await connection.query<{ table: string; column: string; type: string; action: string }>(
    `SELECT rel.relname AS "table", att.attname AS "column", format_type(att.atttypid, NULL) AS type, con.confdeltype::text AS action
     FROM pg_constraint con
     JOIN pg_class rel ON rel.oid = con.conrelid
     JOIN pg_namespace ns ON ns.oid = rel.relnamespace
     JOIN pg_class ref ON ref.oid = con.confrelid
     JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
     WHERE con.contype = 'f' AND ns.nspname = current_schema() AND ref.relname = 'users' AND array_length(con.conkey, 1) = 1
     ORDER BY 1, 2`,
  );
  const named = await connection.query<{ table: string; column: string; type: string }>(
    `SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS type
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = current_schema() AND (c.column_name = 'user_id' OR c.column_name LIKE '%\\_user\\_id')
       AND c.data_type IN ('integer', 'bigint', 'text', 'character varying')
     ORDER BY 1, 2`,
  );
  const references = new Map<string, ReaderReference>();
  for (const fk of foreignKeys) references.set(`${fk.table}.${fk.column}`, { table: fk.table, column: fk.column, type: fk.type, onDelete: ON_DELETE[fk.action] ?? fk.action });
  for (const column of named) {
    const key = `${column.table}.${column.column}`;
    if (!references.has(key)) references.set(key, { table: column.table, column: column.column, type: column.type, onDelete: null });
  }
  return [...references.values()];
}

export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `column = $n` with the parameter cast to the column's own type, so an index on it applies. */
export const referenceMatches = (reference: ReaderReference, parameter: number, alias = "") =>
  `${alias ? `${alias}.` : ""}${quoteIdentifier(reference.column)} = $${parameter}::${reference.type}`;
