import type { Database } from "../../lib/db/database.ts";

/** The tables an import writes to. */
export const IMPORTED_TABLES = ["users", "publishers", "authors", "books", "book_authors", "genres", "book_genres", "ratings", "bookmarks"] as const;

export interface TableState {
  readonly rows: number;
  /** md5 over every row's full text (all columns, updated_at included), order-independent. */
  readonly checksum: string;
}

/** Row count and content checksum of each imported table: equal before and after a re-import means it changed nothing. */
export async function importedTablesState(db: Database): Promise<Record<string, TableState>> {
  const state: Record<string, TableState> = {};
  await db.withConnection(async (connection) => {
    for (const table of IMPORTED_TABLES) {
      const [row] = await connection.query<{ rows: number; checksum: string | null }>(
        `SELECT count(*)::int AS rows, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS checksum FROM ${table} t`,
      );
      state[table] = { rows: row?.rows ?? 0, checksum: row?.checksum ?? "" };
    }
  });
  return state;
}
