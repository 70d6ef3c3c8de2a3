import { z } from "zod";
import { edgeConfigShape } from "./config/edge.ts";

/**
 * Every setting comes from the environment and is validated once at start, so a
 * typo fails fast with the variable's name instead of surfacing as a runtime bug.
 */

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .pipe(z.string().url().optional())
  .optional();
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

/**
 * PostgreSQL's own default (128MB) made the embedded process slower and larger: in the
 * bench's embedded setup, 16MB served the signed-in flagship at least as fast and held
 * 100-150 MB less (bench/README.md, "Memory").
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS = "16MB";

const DEVELOPMENT_JWT_SECRET = "shelfgraph-development-secret-change-me-in-production";
const DEVELOPMENT_INTERNAL_SECRET = "shelfgraph-development-internal-secret-change-me";

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    HOST: z.string().min(1).default("127.0.0.1"),

    DATABASE_URL: optionalUrl,
    DATABASE_POOL_SIZE: positiveInt(10),
    PGLITE_DATA_DIR: z.string().min(1).default("data/pglite"),
    // PGlite's buffer pool, in its WebAssembly memory (which never shrinks); its files are cached by the OS as well.
    PGLITE_SHARED_BUFFERS: z
      .string()
      .regex(/^\d+(kB|MB|GB)$/, "must be a PostgreSQL size such as 16MB")
      .default(DEFAULT_PGLITE_SHARED_BUFFERS),
    // `npm run db:backup` writes here when not given a file.
    BACKUP_DIR: z.string().min(1).default("data/backups"),
    REDIS_URL: optionalUrl,
    // Redis only accelerates a request: a command slower than this counts as a cache miss.
    REDIS_COMMAND_TIMEOUT_MS: positiveInt(50),

    GATEWAY_PORT: port(4000),
    USERS_PORT: port(4001),
    BOOKS_PORT: port(4002),
    RECOMMENDATIONS_PORT: port(4003),
    EXPERIMENTS_PORT: port(4004),

    // Prometheus scrapes GET /metrics here, apart from the public port (one per process; 0 picks a free one).
    METRICS_PORT: port(9464),

    USERS_URL: optionalUrl,
    BOOKS_URL: optionalUrl,
    RECOMMENDATIONS_URL: optionalUrl,
    EXPERIMENTS_URL: optionalUrl,
    SUPERGRAPH_PATH: z.string().min(1).default("schema/supergraph.graphql"),
    // `npm start` only: the gateway on a worker thread of its own (a second core, for about 110 MB more);
    // false keeps the whole supergraph on one thread.
    EMBEDDED_GATEWAY_THREAD: flag(true),
    SUBGRAPH_TIMEOUT_MS: positiveInt(10_000),

    JWT_SECRET: z.string().min(32, "must be at least 32 characters").default(DEVELOPMENT_JWT_SECRET),
    JWT_ISSUER: z.string().min(1).default("shelfgraph"),
    JWT_AUDIENCE: z.string().min(1).default("shelfgraph-api"),
    // Identity (lib/auth, gateway/identity): token lifetimes, the gateway-to-subgraph secret, an optional OIDC provider.
    ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
    ACCESS_TOKEN_MAX_LIFETIME_SECONDS: positiveInt(86_400),
    REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * 86_400),
    INTERNAL_SECRET: z.string().min(32, "must be at least 32 characters").default(DEVELOPMENT_INTERNAL_SECRET),
    CREDENTIAL_CACHE_SECONDS: z.coerce.number().int().min(0).default(30),
    JWT_JWKS_URL: optionalUrl,
    JWT_JWKS_ISSUER: z.string().trim().min(1).optional(),
    JWT_JWKS_AUDIENCE: z.string().trim().min(1).optional(),
    JWT_JWKS_USER_CLAIM: z.string().min(1).default("sub"),

    // The edge (gateway/edge/): operation limits checked before anything is planned, rate limits,
    // CORS, persisted queries and the response cache.
    ...edgeConfigShape,

    // The books subgraph's in-process Book rows by id (0 turns it off); the TTL bounds what a missed event leaves stale.
    BOOK_CACHE_SIZE: z.coerce.number().int().min(0).default(20_000),
    BOOK_CACHE_TTL_SECONDS: positiveInt(300),

    CACHE_TTL_SECONDS: positiveInt(3600),
    CACHE_MAX_ENTRIES: positiveInt(50_000),
    // The in-process cache's bound in MiB of its entries' JSON (the heap holds about twice that).
    CACHE_MAX_MB: positiveInt(32),
    // With REDIS_URL the in-process layer only fronts Redis (entries live 5 s there): its own, smaller bound.
    NEAR_CACHE_MAX_MB: positiveInt(8),
    // Namespace in Redis, so deployments (or test runs) sharing one Redis never read each other's entries.
    CACHE_KEY_PREFIX: z.string().min(1).default("shelfgraph:cache:"),

    // Real time (lib/stream, lib/events): the durable interaction stream's keys in Redis, how often a
    // failing event is retried before it is parked, and how long a dead consumer's events wait to be claimed.
    STREAM_KEY_PREFIX: z.string().min(1).default("shelfgraph:stream:"),
    STREAM_MAX_DELIVERIES: positiveInt(5),
    STREAM_CLAIM_IDLE_MS: positiveInt(30_000),
    STREAM_CONSUMER_NAME: z.string().min(1).optional(),
    OUTBOX_POLL_MS: positiveInt(1_000),
    SUBSCRIPTION_QUEUE_LIMIT: positiveInt(100),
    SUBSCRIPTION_KEEPALIVE_MS: positiveInt(15_000),

    SEED_BOOKS: positiveInt(10_000),
    SEED_USERS: positiveInt(5_000),
    SEED_RANDOM_SEED: z.coerce.number().int().default(42),

    SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),

    // Tracing (lib/tracing), off unless an OTLP/HTTP collector is named: its base URL (spans go to /v1/traces)
    // and the share of new traces kept (a caller's traceparent decision is followed).
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_TRACES_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),

    // deleteMyAccount: "delete" removes the reader's ratings and reviews with everything else;
    // "anonymise" keeps them for the catalogue under a placeholder account that training skips.
    ACCOUNT_DELETION_MODE: z.enum(["delete", "anonymise"]).default("delete"),

    // Batch training (ml-models/): where model artifacts live, how much better (relative
    // NDCG@10) a candidate must be to replace production, and when the trainer retrains.
    MODEL_ARTIFACTS_DIR: z.string().min(1).default("ml-models/artifacts"),
    MODEL_PROMOTION_MARGIN: z.coerce.number().min(0).default(0.01),
    MODEL_KEEP_VERSIONS: positiveInt(10),
    TRAINER_CRON: z.string().min(1).default("0 3 * * *"),
    TRAINER_NEW_INTERACTIONS: positiveInt(10_000),
    TRAINER_CHECK_INTERVAL_SECONDS: positiveInt(300),

    // Serving (subgraphs/recommendations): how long a model may take before the answer
    // falls back, and when inference batches move off the event loop.
    RECOMMENDATION_TIME_BUDGET_MS: positiveInt(2_000),
    INFERENCE_MAX_BATCH: positiveInt(1_024),
    // How long the first inference request of a batch waits for others (concurrent queries) to join it.
    INFERENCE_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(0),
    // Rows of a catalogue-ranking graph (top-K lists) from which a batch runs on a worker (serving/inference-runner.ts).
    INFERENCE_WORKER_THRESHOLD: positiveInt(256),
    // One: on the 2-core machines it is sized for, a second worker served no more (456 vs 454 req/s in the bench) and held ~20 MB.
    INFERENCE_WORKERS: positiveInt(1),
    // Threads each ONNX session may use: onnxruntime's per-core spinning pool costs far more CPU than it saves on small graphs.
    INFERENCE_THREADS: positiveInt(1),
    // On in production; off only to measure what they save (npm run bench).
    RECOMMENDATION_CACHE: flag(true),
    // Readers' histories kept in memory between their requests (dropped by their own signals; the TTL bounds a lost one).
    READER_HISTORY_CACHE_SIZE: positiveInt(20_000),
    READER_HISTORY_TTL_SECONDS: positiveInt(600),
    INFERENCE_BATCHING: flag(true),
    // Recommendation logs: every reader's list is kept; anonymous lists are sampled at this rate
    // (each kept row weighted 1/rate) so anonymous traffic is no write amplifier; rows expire after the retention.
    RECOMMENDATION_LOG_ANONYMOUS_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.1),
    RECOMMENDATION_LOG_RETENTION_DAYS: positiveInt(90),

    // Experiments: share of readers (0-100) kept out of every experiment, the baseline
    // that measures their combined effect.
    EXPERIMENT_HOLDOUT_PERCENT: z.coerce.number().min(0).max(100).default(0),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === "production" && config.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "must be set in production" });
    }
    if (config.NODE_ENV === "production" && config.INTERNAL_SECRET === DEVELOPMENT_INTERNAL_SECRET) {
      ctx.addIssue({ code: "custom", path: ["INTERNAL_SECRET"], message: "must be set in production" });
    }
    if (config.INTERNAL_SECRET === config.JWT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["INTERNAL_SECRET"], message: "must differ from JWT_SECRET" });
    }
    if (config.ACCESS_TOKEN_TTL_SECONDS > config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS) {
      ctx.addIssue({ code: "custom", path: ["ACCESS_TOKEN_TTL_SECONDS"], message: "must not exceed ACCESS_TOKEN_MAX_LIFETIME_SECONDS" });
    }
    if (config.JWT_JWKS_URL && (!config.JWT_JWKS_ISSUER || !config.JWT_JWKS_AUDIENCE)) {
      ctx.addIssue({ code: "custom", path: ["JWT_JWKS_URL"], message: "needs JWT_JWKS_ISSUER and JWT_JWKS_AUDIENCE" });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join(".");
      const value = env[variable];
      const shown = value === undefined ? "" : ` (got ${JSON.stringify(variable.includes("SECRET") ? "***" : value)})`;
      return `${variable}: ${issue.message}${shown}`;
    }),
  );
}

/** For command-line entry points: the configuration, or exit 1 with the validation message (no stack trace: it is the operator's input). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export type ServiceName = "gateway" | "users" | "books" | "recommendations" | "experiments";
export const SUBGRAPH_NAMES = ["users", "books", "recommendations", "experiments"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export function servicePort(config: Config, service: ServiceName): number {
  const ports: Record<ServiceName, number> = {
    gateway: config.GATEWAY_PORT,
    users: config.USERS_PORT,
    books: config.BOOKS_PORT,
    recommendations: config.RECOMMENDATIONS_PORT,
    experiments: config.EXPERIMENTS_PORT,
  };
  return ports[service];
}

/** Where the gateway finds a subgraph: the *_URL variable, else the subgraph's local port. */
export function subgraphUrl(config: Config, name: SubgraphName): string {
  const explicit: Record<SubgraphName, string | undefined> = {
    users: config.USERS_URL,
    books: config.BOOKS_URL,
    recommendations: config.RECOMMENDATIONS_URL,
    experiments: config.EXPERIMENTS_URL,
  };
  return explicit[name] ?? `http://localhost:${servicePort(config, name)}/graphql`;
}
