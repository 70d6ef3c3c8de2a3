import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { redisNamespace } from "../../test/support/redis-namespace.ts";
import { startService } from "./services.ts";

export interface DataSpec {
  /** e.g. "ours-postgres", "reference-pglite". */
  name: string;
  /** Changes when the code that seeds or trains changes: the data is rebuilt. */
  key: string;
  codeDir: string;
  /** The embedded launcher of that code (dist/start.js, or start.ts for the reference). */
  startScript: string;
  workDir: string;
  /** PostgreSQL server URL (…/postgres) for a database of its own; PGlite under workDir without. */
  postgresServerUrl?: string;
  env: Record<string, string>;
  gatewayPort: number;
  basePort: number;
  /** Node flags of the first start (ours: the heap limit `npm start` passes). */
  nodeArgs?: string[];
}

export interface PreparedData {
  env: Record<string, string>;
  /** Seconds from launch to the first model-driven flagship answer, when this run built the data. */
  firstStartSeconds: number | null;
  /** Seconds from launch until the full model set replaced the first-start one (null: built earlier, or code without a first-start set). */
  fullModelsSeconds: number | null;
}

/** What the code logs when it serves a first-start set and trains the full one in the background, and when that is done. */
const FULL_TRAINING_STARTED = "the first-start set serves meanwhile";
const FULL_TRAINING_DONE = "full models trained; the first-start set is replaced";
const FULL_TRAINING_FAILED = "full training failed";

const FIRST_QUERY = `{ book(id: "1") { title similar(limit: 10) { book { id title } score source } } }`;

/**
 * The data a setup serves: the code's own `npm start` run once on an empty database
 * (migrations, demo data, first training), exactly as a new user would, and timed to
 * its first model-driven flagship answer. Kept under workDir and reused while `key` holds.
 */
export async function prepareData(spec: DataSpec, log: (line: string) => void): Promise<PreparedData> {
  const dir = join(spec.workDir, spec.name);
  // BENCH_DATABASE_PREFIX keeps two checkouts benchmarking on one PostgreSQL server apart.
  const prefix = process.env.BENCH_DATABASE_PREFIX ?? "shelfgraph_bench";
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`BENCH_DATABASE_PREFIX must be a lower-case SQL identifier, got "${prefix}"`);
  const databaseName = `${prefix}_${spec.name.replace(/[^a-z0-9]/g, "_")}`;
  const env: Record<string, string> = {
    ...spec.env,
    MODEL_ARTIFACTS_DIR: join(dir, "artifacts"),
    ...(spec.postgresServerUrl ? { DATABASE_URL: databaseUrl(spec.postgresServerUrl, databaseName) } : { PGLITE_DATA_DIR: join(dir, "pglite") }),
  };
  const marker = join(dir, "ready.json");
  if (existsSync(marker) && (JSON.parse(readFileSync(marker, "utf8")) as { key: string }).key === spec.key) return { env, firstStartSeconds: null, fullModelsSeconds: null };

  log(`preparing ${spec.name}: first start on an empty database (demo data, training)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (spec.postgresServerUrl) await recreateDatabase(spec.postgresServerUrl, databaseName);
  const startedAt = performance.now();
  const namespace = spec.env.REDIS_URL ? redisNamespace(spec.env.REDIS_URL, "bench", "prepare") : undefined;
  const ports = { GATEWAY_PORT: spec.gatewayPort, USERS_PORT: spec.basePort, BOOKS_PORT: spec.basePort + 1, RECOMMENDATIONS_PORT: spec.basePort + 2, EXPERIMENTS_PORT: spec.basePort + 3 };
  const service = await startService(
    {
      role: `prepare-${spec.name}`,
      script: spec.startScript,
      cwd: spec.codeDir,
      env: { ...env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), ...namespace?.env },
      port: spec.gatewayPort,
      readyPath: "/health/ready",
      readyTimeoutMs: 900_000,
      nodeArgs: spec.nodeArgs,
    },
    dir,
  ).catch(async (error: unknown) => {
    // A start that fails may have written keys already.
    await namespace?.drop();
    throw error;
  });
  try {
    let firstStartSeconds: number | null = null;
    while (performance.now() - startedAt < 900_000) {
      const answer = await fetch(`${service.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: FIRST_QUERY }),
      })
        .then((response) => response.text())
        .catch(() => "");
      if (answer.includes('"source":"MODEL') || answer.includes('"source":"CACHE')) {
        firstStartSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (firstStartSeconds === null) throw new Error(`${spec.name}: no model-driven answer after 15 minutes`);
    log(`${spec.name}: first model-driven flagship answer after ${firstStartSeconds} s`);
    // The first answer may come from the quick first-start set: the data is only ready once the full set replaced it.
    const fullModelsSeconds = await untilFullModels(join(dir, `prepare-${spec.name}.log`), startedAt);
    if (fullModelsSeconds !== null) log(`${spec.name}: full models replaced the first-start set after ${fullModelsSeconds} s`);
    writeFileSync(marker, JSON.stringify({ key: spec.key, firstStartSeconds, fullModelsSeconds, at: new Date().toISOString() }));
    return { env, firstStartSeconds, fullModelsSeconds };
  } finally {
    await service.stop();
    await namespace?.drop();
  }
}

/** Waits for the background full training the log announced; null when the code trained everything before serving. */
async function untilFullModels(logFile: string, startedAt: number): Promise<number | null> {
  const read = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  // Log lines are flushed within a fraction of a second: give the announcement time to land.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  if (!read().includes(FULL_TRAINING_STARTED)) return null;
  while (performance.now() - startedAt < 1_800_000) {
    const text = read();
    if (text.includes(FULL_TRAINING_DONE)) return Math.round((performance.now() - startedAt) / 100) / 10;
    if (text.includes(FULL_TRAINING_FAILED)) throw new Error(`full training failed while preparing the data; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the full models did not replace the first-start set within 30 minutes; see ${logFile}`);
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function recreateDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}
