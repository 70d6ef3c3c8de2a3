import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { Config } from "../../../lib/config.ts";
import { ErrorCode, requestRefused } from "../../../lib/errors.ts";
import { measureCost } from "./cost.ts";
import { measureShape } from "./shape.ts";

export type LimitName = "depth" | "cost" | "aliases" | "rootFields" | "directives" | "tokens";
export type OperationLimits = Record<LimitName, number>;

export function operationLimitsFrom(
  config: Pick<
    Config,
    "MAX_QUERY_DEPTH" | "MAX_QUERY_COST" | "MAX_QUERY_ALIASES" | "MAX_QUERY_ROOT_FIELDS" | "MAX_QUERY_DIRECTIVES" | "MAX_QUERY_TOKENS"
  >,
): OperationLimits {
  return {
    depth: config.MAX_QUERY_DEPTH,
    cost: config.MAX_QUERY_COST,
    aliases: config.MAX_QUERY_ALIASES,
    rootFields: config.MAX_QUERY_ROOT_FIELDS,
    directives: config.MAX_QUERY_DIRECTIVES,
    tokens: config.MAX_QUERY_TOKENS,
  };
}

const DESCRIPTIONS: Record<LimitName, string> = {
  depth: "nesting depth",
  cost: "cost",
  aliases: "number of aliases",
  rootFields: "number of root fields",
  directives: "number of directives",
  tokens: "number of tokens",
};

/** QUERY_TOO_COMPLEX, HTTP 400: which limit, its value and what the operation measured. */
export const queryTooComplex = (limit: LimitName, maximum: number, measured: number) =>
  requestRefused(ErrorCode.QUERY_TOO_COMPLEX, `The operation's ${DESCRIPTIONS[limit]} is ${measured}, above the limit of ${maximum}`, 400, {
    limit,
    maximum,
    measured,
  });

/**
 * Checks the structural limits, then the cost (the walk that expands fragments, so
 * it runs only on operations that are already known to be small), and returns the cost.
 */
export function checkOperation(
  options: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operation: OperationDefinitionNode;
    variables: Record<string, unknown> | undefined;
  },
  limits: OperationLimits,
): number {
  const shape = measureShape(options.document, options.operation);
  for (const limit of ["depth", "aliases", "rootFields", "directives"] as const) {
    if (shape[limit] > limits[limit]) throw queryTooComplex(limit, limits[limit], shape[limit]);
  }
  const maxNodes = Math.max(10_000, limits.tokens * 4);
  let cost: number;
  try {
    cost = measureCost({
      schema: options.schema,
      document: options.document,
      operationName: options.operation.name?.value,
      variables: options.variables,
      maxNodes,
    });
  } catch (error) {
    // The walk gave up after expanding fragments into more fields than any honest operation
    // within the other limits has: a cost past any limit.
    if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) {
      throw requestRefused(ErrorCode.QUERY_TOO_COMPLEX, `The operation expands to more than ${maxNodes} fields`, 400, {
        limit: "cost",
        maximum: limits.cost,
        measured: null,
      });
    }
    // Variables that do not fit their types: the same message execution would give.
    throw requestRefused(ErrorCode.BAD_USER_INPUT, error instanceof Error ? error.message : "Invalid variables", 400);
  }
  if (cost > limits.cost) throw queryTooComplex("cost", limits.cost, cost);
  return cost;
}
