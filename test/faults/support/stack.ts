import pg from "pg";
import { loadConfig } from "../../../lib/config.ts";
import { openDatabase } from "../../../lib/db/database.ts";
import { applyMigrations } from "../../../lib/db/migrate.ts";
import { createRuntime } from "../../../lib/runtime.ts";
import { serviceProcessEnv } from "../../../lib/server/process-env.ts";
import { seedDemoData } from "../../../prisma/seed/index.ts";
import { freePorts } from "../../support/ports.ts";
import { startPrivateRedis, type PrivateRedis } from "../../support/private-redis.ts";
import { logMessage, startServiceProcess, type ServiceProcess } from "../../support/processes.ts";
import { trainTestModels, type TrainedModels } from "../../support/trained-models.ts";
import { startPrivatePostgres, type PrivatePostgres } from "./private-postgres.ts";

export const SUBGRAPHS = ["users", "books", "recommendations", "experiments"] as const;
export type ServiceName = (typeof SUBGRAPHS)[number] | "gateway";

/**
 * The production shape on private infrastructure: a PostgreSQL and a Redis of the
 * suite's own, a migrated and seeded database with trained models, and every
 * service as its own process, as docker-compose runs them.
 */
export interface FaultStack {
  readonly postgres: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly databaseUrl: string;
  readonly models: TrainedModels;
  readonly gatewayUrl: string;
  readonly ports: Record<ServiceName, number>;
  readonly processes: Map<ServiceName, ServiceProcess>;
  urlOf(service: ServiceName, path?: string): string;
  /** Starts a service process and waits until it listens. */
  start(service: ServiceName): Promise<ServiceProcess>;
  stop(service: ServiceName): Promise<void>;
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const SCRIPTS: Record<ServiceName, string> = {
  users: "subgraphs/users/main.ts",
  books: "subgraphs/books/main.ts",
  recommendations: "subgraphs/recommendations/main.ts",
  experiments: "subgraphs/experiments/main.ts",
  gateway: "gateway/main.ts",
};

export async function createDatabase(postgres: PrivatePostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return postgres.urlOf(name);
}

/** `serviceEnv` adds to (or overrides) every service's environment: a bench comparing settings side by side. */
export async function startFaultStack(seed = { books: 300, users: 200, seed: 7 }, serviceEnv: Record<string, string> = {}): Promise<FaultStack> {
  const [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  let models: TrainedModels;
  let databaseUrl: string;
  try {
    databaseUrl = await createDatabase(postgres, "shelfgraph");
    const config = loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: "silent", NODE_ENV: "test" });
    const db = await openDatabase(config);
    await applyMigrations(db);
    await seedDemoData(db, seed);
    const trainer = await createRuntime(config, "faults", { db });
    try {
      models = await trainTestModels(trainer);
    } finally {
      await trainer.close();
    }
  } catch (error) {
    await Promise.all([postgres.close(), redis.close()]);
    throw error;
  }

  const free = await freePorts(SUBGRAPHS.length + 1);
  const ports = Object.fromEntries([...SUBGRAPHS, "gateway"].map((name, i) => [name, free[i]!])) as Record<ServiceName, number>;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    DATABASE_POOL_SIZE: "5",
    MODEL_ARTIFACTS_DIR: models.artifactsDir,
    GATEWAY_PORT: String(ports.gateway),
    USERS_PORT: String(ports.users),
    BOOKS_PORT: String(ports.books),
    RECOMMENDATIONS_PORT: String(ports.recommendations),
    EXPERIMENTS_PORT: String(ports.experiments),
    USERS_URL: `http://127.0.0.1:${ports.users}/graphql`,
    BOOKS_URL: `http://127.0.0.1:${ports.books}/graphql`,
    RECOMMENDATIONS_URL: `http://127.0.0.1:${ports.recommendations}/graphql`,
    EXPERIMENTS_URL: `http://127.0.0.1:${ports.experiments}/graphql`,
    SUBGRAPH_TIMEOUT_MS: "10000",
    INFERENCE_WORKERS: "1",
    ...serviceEnv,
  };
  const processes = new Map<ServiceName, ServiceProcess>();
  const urlOf = (service: ServiceName, path = "/graphql") => `http://127.0.0.1:${ports[service]}${path}`;

  async function start(service: ServiceName): Promise<ServiceProcess> {
    // Each with its production heap limit and malloc settings, unless the caller's settings name their own.
    const child = startServiceProcess(SCRIPTS[service], { ...serviceProcessEnv(service), ...env });
    processes.set(service, child);
    await child.waitForLine(logMessage(service === "gateway" ? "gateway listening" : "subgraph listening"), 180_000);
    return child;
  }
  async function stop(service: ServiceName): Promise<void> {
    await processes.get(service)?.stop();
  }

  const sqlPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  sqlPool.on("error", () => {});
  try {
    // Started one by one: eight engineers share two cores, and parallel tsx startups starve each other.
    for (const name of SUBGRAPHS) await start(name);
    await start("gateway");
  } catch (error) {
    await Promise.all([...processes.values()].map((child) => child.stop()));
    await sqlPool.end();
    await Promise.all([postgres.close(), redis.close(), models.remove()]);
    throw error;
  }

  return {
    postgres,
    redis,
    databaseUrl,
    models,
    gatewayUrl: urlOf("gateway"),
    ports,
    processes,
    urlOf,
    start,
    stop,
    async sql(text, params) {
      return (await sqlPool.query(text, params)).rows;
    },
    async close() {
      await Promise.all([...processes.values()].map((child) => child.stop()));
      await sqlPool.end().catch(() => {});
      await Promise.all([postgres.close(), redis.close(), models.remove()]);
    },
  };
}
