import type { SqlConnection } from "../../lib/db/database.ts";

/**
 * Ids of rows keyed by a unique name (authors, publishers), creating the missing
 * ones. ON CONFLICT DO NOTHING keeps concurrent imports from failing on each other.
 */
export async function idsByName(connection: SqlConnection, table: "authors" | "publishers", names: Iterable<string>): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  const ids = new Map<string, number>();
  if (unique.length === 0) return ids;
  await connection.query(`INSERT INTO ${table} (name) SELECT name FROM unnest($1::text[]) AS t(name) ON CONFLICT (name) DO NOTHING`, [unique]);
  const rows = await connection.query<{ id: number; name: string }>(`SELECT id, name FROM ${table} WHERE name = ANY($1::text[])`, [unique]);
  for (const row of rows) ids.set(row.name, row.id);
  return ids;
}
