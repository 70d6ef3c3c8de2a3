import { z } from "zod";

/**
 * Settings of the gateway's edge: operation limits, rate limits, CORS, persisted
 * queries, the response cache. Kept apart from lib/config.ts so the edge's knobs
 * read as one table; merged into the one validated configuration there.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value === "true" || value === "1"));

export const PERSISTED_QUERY_MODES = ["enforce", "allow", "off"] as const;
export type PersistedQueryMode = (typeof PERSISTED_QUERY_MODES)[number];

export const edgeConfigShape = {
  // Defaults let every query in the README through with room to spare and stop the hostile ones.
  MAX_QUERY_DEPTH: positiveInt(15),
  MAX_QUERY_COST: positiveInt(5_000),
  MAX_QUERY_ALIASES: positiveInt(30),
  MAX_QUERY_ROOT_FIELDS: positiveInt(15),
  MAX_QUERY_DIRECTIVES: positiveInt(30),
  MAX_QUERY_TOKENS: positiveInt(3_000),

  RATE_LIMIT_PER_MINUTE: positiveInt(1_000),
  // An operation is charged ceil(cost / RATE_LIMIT_COST_PER_UNIT) requests (at least one).
  RATE_LIMIT_COST_PER_UNIT: positiveInt(100),
  // Hops of reverse proxies whose X-Forwarded-For is believed for the anonymous caller's IP (0: none).
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),

  // Comma-separated origins allowed to call from a browser (exact match); empty: none.
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),

  PERSISTED_QUERIES: z.enum(PERSISTED_QUERY_MODES).default("allow"),
  PERSISTED_QUERY_MANIFEST: z.string().min(1).default("clients/persisted-query-manifest.json"),

  RESPONSE_CACHE_TTL_SECONDS: positiveInt(3_600),
  // Introspection is on outside production; this forces it on or off (partner keys with the
  // introspection scope are the production way in).
  GRAPHQL_INTROSPECTION: flag,
};
