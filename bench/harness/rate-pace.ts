import { readFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import { parse, type GraphQLSchema } from "graphql";
import type { Config } from "../../lib/config.ts";
import { measureCost } from "../../gateway/edge/operation-limits/cost.ts";

/**
 * How fast a load client may send without being refused RATE_LIMITED: the gateway
 * charges each operation ceil(cost / RATE_LIMIT_COST_PER_UNIT) units against the
 * caller's RATE_LIMIT_PER_MINUTE (a reader by their token, an anonymous caller by
 * address), so a client's pace follows from the units of the operations it cycles through.
 */
export interface PacedOperation {
  query: string;
  variables: Record<string, unknown>;
  /** Whose allowance it spends. */
  caller: "reader" | "address";
}

export function apiSchemaOf(supergraphPath: string): GraphQLSchema {
  return Supergraph.build(readFileSync(supergraphPath, "utf8")).apiSchema().toGraphQLJSSchema();
}

export function unitsOf(schema: GraphQLSchema, operation: PacedOperation, config: Pick<Config, "RATE_LIMIT_COST_PER_UNIT" | "MAX_QUERY_TOKENS">): number {
  const cost = measureCost({ schema, document: parse(operation.query), operationName: undefined, variables: operation.variables, maxNodes: config.MAX_QUERY_TOKENS * 4 });
  return Math.max(1, Math.ceil(cost / config.RATE_LIMIT_COST_PER_UNIT));
}

/**
 * The shortest interval between one client's requests that keeps both of its
 * allowances (its reader's, its address's) under `share` of the limit, given the
 * operations of one cycle of its requests.
 */
export function paceIntervalMs(
  schema: GraphQLSchema,
  cycle: readonly PacedOperation[],
  config: Pick<Config, "RATE_LIMIT_PER_MINUTE" | "RATE_LIMIT_COST_PER_UNIT" | "MAX_QUERY_TOKENS">,
  share: number,
): { intervalMs: number; unitsPerCycle: Record<PacedOperation["caller"], number> } {
  const unitsPerCycle = { reader: 0, address: 0 };
  for (const operation of cycle) unitsPerCycle[operation.caller] += unitsOf(schema, operation, config);
  const allowance = share * config.RATE_LIMIT_PER_MINUTE;
  const cyclesPerMinute = Math.min(...Object.values(unitsPerCycle).filter((units) => units > 0).map((units) => allowance / units));
  return { intervalMs: 60_000 / (cyclesPerMinute * cycle.length), unitsPerCycle };
}
