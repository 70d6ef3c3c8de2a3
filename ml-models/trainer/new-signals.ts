import type { Database } from "../../lib/db/database.ts";

/** Signals (ratings, interaction events, bookmarks) recorded after `since`: what the retrain threshold counts. */
export async function countSignalsSince(db: Database, since: Date): Promise<number> {
  return db.withConnection(async (connection) => {
    const [row] = await connection.query<{ total: string | number }>(
      `SELECT (SELECT count(*) FROM ratings WHERE updated_at > $1)
            + (SELECT count(*) FROM interactions WHERE occurred_at > $1)
            + (SELECT count(*) FROM bookmarks WHERE created_at > $1) AS total`,
      [since.toISOString()],
    );
    return Number(row?.total ?? 0);
  });
}

/** When the last training run registered its models (null before the first run). */
export async function lastTrainedAt(db: Database): Promise<Date | null> {
  return db.withConnection(async (connection) => {
    const [row] = await connection.query<{ last: string | Date | null }>("SELECT max(trained_at) AS last FROM model_versions");
    return row?.last ? new Date(row.last) : null;
  });
}
