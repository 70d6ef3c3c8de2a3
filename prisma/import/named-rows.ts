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
  // A join rather than `name = ANY(...)`: on a table the planner believes small, ANY becomes a
  // sequential scan comparing every row with every name under the collation, seconds per batch.
  const rows = await connection.query<{ id: number; name: string }>(`SELECT x.id, x.name FROM unnest($1::text[]) AS t(name) JOIN ${table} x ON x.name = t.name`, [unique]);
  for (const row of rows) ids.set(row.name, row.id);
  return ids;
}
