import type { SqlConnection } from "./database.ts";

/**
 * What the current schema of a live database actually contains, read from the
 * catalogs (works the same on PostgreSQL and PGlite). Used to prove that the
 * migrations build the database that schema.prisma describes.
 */
export interface DatabaseSchema {
  readonly tables: Map<string, TableDescription>;
  /** Enum type name → labels in declaration order. */
  readonly enums: Map<string, string[]>;
}

export interface TableDescription {
  readonly name: string;
  readonly columns: Map<string, ColumnDescription>;
  readonly indexes: IndexDescription[];
  readonly foreignKeys: ForeignKeyDescription[];
}

export interface ColumnDescription {
  readonly name: string;
  /** information_schema data_type: "integer", "ARRAY", "USER-DEFINED"... */
  readonly dataType: string;
  /** PostgreSQL type name: "int4", "timestamptz", "_float8" (arrays), the enum's name... */
  readonly udtName: string;
  readonly nullable: boolean;
  readonly characterMaximumLength: number | null;
  readonly datetimePrecision: number | null;
  readonly numericPrecision: number | null;
  readonly numericScale: number | null;
  /** The default expression as PostgreSQL prints it, e.g. `CURRENT_TIMESTAMP`, `'READER'::"Role"`. */
  readonly defaultExpression: string | null;
}

export interface IndexDescription {
  readonly name: string;
  readonly primary: boolean;
  readonly unique: boolean;
  /** Access method: btree, gin, gist... */
  readonly method: string;
  /** Key columns in order; an expression key appears as its SQL text. */
  readonly columns: { name: string; descending: boolean }[];
}

export interface ForeignKeyDescription {
  readonly name: string;
  readonly columns: string[];
  readonly referencedTable: string;
  readonly referencedColumns: string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

export type ReferentialAction = "NO ACTION" | "RESTRICT" | "CASCADE" | "SET NULL" | "SET DEFAULT";

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

export async function describeDatabaseSchema(connection: SqlConnection): Promise<DatabaseSchema> {
  const tables = new Map<string, TableDescription>();
  const tableRows = await connection.query<{ table_name: string }>(
    `SELECT table_name::text FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  for (const { table_name } of tableRows) {
    tables.set(table_name, { name: table_name, columns: new Map(), indexes: [], foreignKeys: [] });
  }
  const table = (name: string): TableDescription => {
    const found = tables.get(name);
    if (!found) throw new Error(`catalog row for unknown table ${name}`);
    return found;
  };

  for (const row of await readColumns(connection)) {
    table(row.table_name).columns.set(row.column_name, {
      name: row.column_name,
      dataType: row.data_type,
      udtName: row.udt_name,
      nullable: row.is_nullable === "YES",
      characterMaximumLength: row.character_maximum_length,
      datetimePrecision: row.datetime_precision,
      numericPrecision: row.numeric_precision,
      numericScale: row.numeric_scale,
      defaultExpression: row.column_default,
    });
  }

  const indexes = new Map<string, IndexDescription & { table: string }>();
  for (const row of await readIndexKeys(connection)) {
    let index = indexes.get(row.index_name);
    if (!index) {
      index = { table: row.table_name, name: row.index_name, primary: row.is_primary, unique: row.is_unique, method: row.method, columns: [] };
      indexes.set(row.index_name, index);
      table(row.table_name).indexes.push(index);
    }
    index.columns.push({ name: row.key, descending: row.descending });
  }

  const foreignKeys = new Map<string, ForeignKeyDescription & { columns: string[]; referencedColumns: string[] }>();
  for (const row of await readForeignKeyColumns(connection)) {
    const id = `${row.table_name}.${row.constraint_name}`;
    let foreignKey = foreignKeys.get(id);
    if (!foreignKey) {
      foreignKey = {
        name: row.constraint_name,
        columns: [],
        referencedTable: row.referenced_table,
        referencedColumns: [],
        onDelete: referentialAction(row.on_delete),
        onUpdate: referentialAction(row.on_update),
      };
      foreignKeys.set(id, foreignKey);
      table(row.table_name).foreignKeys.push(foreignKey);
    }
    foreignKey.columns.push(row.column_name);
    foreignKey.referencedColumns.push(row.referenced_column);
  }

  const enums = new Map<string, string[]>();
  for (const row of await readEnumLabels(connection)) {
    const labels = enums.get(row.type_name) ?? [];
    labels.push(row.label);
    enums.set(row.type_name, labels);
  }

  return { tables, enums };
}

function referentialAction(code: string): ReferentialAction {
  const action = REFERENTIAL_ACTIONS[code];
  if (!action) throw new Error(`unknown referential action code ${JSON.stringify(code)}`);
  return action;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: "YES" | "NO";
  character_maximum_length: number | null;
  datetime_precision: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  column_default: string | null;
}

function readColumns(connection: SqlConnection): Promise<ColumnRow[]> {
  // information_schema uses its own domains (cardinal_number, sql_identifier); cast to plain types for both drivers.
  return connection.query<ColumnRow>(
    `SELECT table_name::text, column_name::text, data_type::text, udt_name::text, is_nullable::text,
            character_maximum_length::int, datetime_precision::int, numeric_precision::int, numeric_scale::int,
            column_default::text
       FROM information_schema.columns
      WHERE table_schema = current_schema()
      ORDER BY table_name, ordinal_position`,
  );
}

interface IndexKeyRow {
  table_name: string;
  index_name: string;
  is_primary: boolean;
  is_unique: boolean;
  method: string;
  key: string;
  descending: boolean;
}

function readIndexKeys(connection: SqlConnection): Promise<IndexKeyRow[]> {
  // One row per key column (indkey and indoption count from 0); an expression key (attnum 0) has no
  // pg_attribute row, so its SQL text comes from pg_get_indexdef.
  return connection.query<IndexKeyRow>(
    `SELECT t.relname::text AS table_name, i.relname::text AS index_name,
            ix.indisprimary AS is_primary, ix.indisunique AS is_unique, am.amname::text AS method,
            COALESCE(a.attname::text, pg_get_indexdef(ix.indexrelid, k.position, true)) AS key,
            (ix.indoption[k.position - 1] & 1) = 1 AS descending
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
       CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts::int) AS k(position)
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[k.position - 1] AND a.attnum > 0
      WHERE n.nspname = current_schema()
      ORDER BY t.relname, i.relname, k.position`,
  );
}

interface ForeignKeyColumnRow {
  table_name: string;
  constraint_name: string;
  column_name: string;
  referenced_table: string;
  referenced_column: string;
  on_delete: string;
  on_update: string;
}

function readForeignKeyColumns(connection: SqlConnection): Promise<ForeignKeyColumnRow[]> {
  return connection.query<ForeignKeyColumnRow>(
    `SELECT t.relname::text AS table_name, c.conname::text AS constraint_name,
            a.attname::text AS column_name, rt.relname::text AS referenced_table, ra.attname::text AS referenced_column,
            c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class rt ON rt.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refattnum, position)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
       JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refattnum
      WHERE c.contype = 'f' AND n.nspname = current_schema()
      ORDER BY t.relname, c.conname, k.position`,
  );
}

function readEnumLabels(connection: SqlConnection): Promise<{ type_name: string; label: string }[]> {
  return connection.query(
    `SELECT t.typname::text AS type_name, e.enumlabel::text AS label
       FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema()
      ORDER BY t.typname, e.enumsortorder`,
  );
}
