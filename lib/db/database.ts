import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/client/runtime/client";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { DEFAULT_PGLITE_SHARED_BUFFERS, type Config } from "../config.ts";
import { Prisma, PrismaClient } from "./generated/client.ts";
import { createPGlite } from "./pglite-template.ts";
import { countStatements } from "./statement-counter.ts";

export { Prisma, PrismaClient };
export type * from "./generated/client.ts";

/** One connection's worth of raw SQL, for work Prisma does not model (migrations, bulk loads). */
export interface SqlConnection {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters. */
  exec(text: string): Promise<void>;
}

/** A Prisma client of one service over the shared database, counting the SQL statements it sends. */
export interface ServiceClient {
  readonly prisma: PrismaClient;
  statementCount(): number;
}

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  /** The same client for the same name: each service's statements are counted apart (no-N+1 checks, metrics). */
  clientFor(service: string): ServiceClient;
  /** Holds one connection for `work`: session state (advisory locks, BEGIN/COMMIT) stays on it. */
  withConnection<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T>;
  /**
   * PGlite only: `work` in a transaction nothing else in the process can interleave with
   * (PGlite's own transaction lock; a raw BEGIN on its one session would let other
   * callers' statements in between). Committed when `work` resolves, rolled back if it throws.
   */
  exclusiveTransaction?<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What raw-SQL work (training, registry) needs of a database: also served to a worker thread (./database-over-port.ts). */
export type SqlDatabase = Pick<Database, "kind" | "withConnection" | "exclusiveTransaction">;

export type DatabaseOptions = Pick<Config, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "PGLITE_DATA_DIR"> & Partial<Pick<Config, "PGLITE_SHARED_BUFFERS">>;

/** PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite persisted under PGLITE_DATA_DIR. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const db = options.DATABASE_URL
    ? await openPostgres(options.DATABASE_URL, options.DATABASE_POOL_SIZE)
    : await openPGlite(options.PGLITE_DATA_DIR, options.PGLITE_SHARED_BUFFERS ?? DEFAULT_PGLITE_SHARED_BUFFERS);
  return closingOnce(db);
}

/** Several owners (a runtime, a test) may close the same handle; only the first call does it. */
function closingOnce(db: Database): Database {
  let closing: Promise<void> | undefined;
  return { ...db, close: () => (closing ??= db.close()) };
}

/** Per-service Prisma clients sharing one adapter factory (one pool, or the one PGlite instance). */
function serviceClients(factory: SqlDriverAdapterFactory) {
  const clients = new Map<string, ServiceClient>();
  return {
    clientFor(service: string): ServiceClient {
      let client = clients.get(service);
      if (!client) {
        const counting = countStatements(factory);
        client = { prisma: new PrismaClient({ adapter: counting.factory }), statementCount: counting.statementCount };
        clients.set(service, client);
      }
      return client;
    },
    async disconnectAll(): Promise<void> {
      await Promise.all([...clients.values()].map((client) => client.prisma.$disconnect()));
    },
  };
}

const CONNECT_TIMEOUT_MS = 5_000;

async function openPostgres(connectionString: string, poolSize: number): Promise<Database> {
  // A server that does not answer (network partition, hung host) fails a connect after this,
  // as SERVICE_UNAVAILABLE, instead of holding the request until the gateway gives up.
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const adapter = new PrismaPg(pool);
  const prisma = new PrismaClient({ adapter });
  const services = serviceClients(adapter);
  return {
    kind: "postgres",
    prisma,
    clientFor: services.clientFor,
    async withConnection(work) {
      const client = await pool.connect();
      // A server that goes away while the client is checked out reaches the caller as
      // the failing query's error; unheard, the client's "error" event would crash the process.
      const ignore = () => {};
      client.on("error", ignore);
      let failure: Error | undefined;
      try {
        return await work({
          query: async (text, params) => (await client.query(text, params as unknown[])).rows,
          exec: async (text) => {
            await client.query(text);
          },
        });
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        client.off("error", ignore);
        // After a failure the connection may be dead or mid-transaction: discard it rather than pool it.
        client.release(failure);
      }
    },
    async close() {
      await services.disconnectAll();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** `memory://` keeps the database in memory (tests); anything else is a directory. */
async function openPGlite(dataDir: string, sharedBuffers: string): Promise<Database> {
  const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}`] };
  let pglite: PGlite;
  if (dataDir.startsWith("memory://")) pglite = await PGlite.create(dataDir, options);
  else {
    mkdirSync(dataDir, { recursive: true });
    // A fresh directory comes from the install-time template when there is one (no initdb).
    ({ pglite } = await createPGlite(dataDir, options));
  }
  const adapter = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter });
  const services = serviceClients(adapter);
  const connection: SqlConnection = {
    query: async (text, params) => (await pglite.query(text, params)).rows as never,
    exec: async (text) => {
      await pglite.exec(text);
    },
  };
  return {
    kind: "pglite",
    prisma,
    clientFor: services.clientFor,
    // PGlite is a single in-process session, so every caller shares it.
    withConnection: (work) => work(connection),
    exclusiveTransaction: (work) =>
      pglite.transaction((tx) =>
        work({
          query: async (text, params) => (await tx.query(text, params)).rows as never,
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    async close() {
      await services.disconnectAll();
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
