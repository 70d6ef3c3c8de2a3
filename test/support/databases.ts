import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../lib/db/database.ts";

/**
 * Every test gets a database of its own: an in-memory PGlite always, and a fresh
 * PostgreSQL database (created and dropped here) when DATABASE_URL names a server.
 * That keeps tests independent of each other and of a dev server's data.
 */
export interface TestDatabase {
  readonly db: Database;
  /** Environment that points a child process at the same database (PostgreSQL only). */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  readonly name: "pglite" | "postgres";
  create(): Promise<TestDatabase>;
}

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: "pglite", create: createPGliteDatabase }];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) targets.push({ name: "postgres", create: () => createPostgresDatabase(serverUrl) });
  return targets;
}

async function createPGliteDatabase(): Promise<TestDatabase> {
  const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: "memory://" });
  return { db, env: {}, drop: () => db.close() };
}

export async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `shelfgraph_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: 5, PGLITE_DATA_DIR: "unused" });
  return {
    db,
    env: { DATABASE_URL: url.toString() },
    async drop() {
      await db.close();
      await withAdminClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
