import type { DocumentNode, GraphQLSchema } from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

/** The list-size arguments of this schema: `limit` on recommendation lists, `first` on connections. */
export const SIZE_ARGUMENTS: readonly string[] = ["limit", "first"];

/**
 * Every field costs 1; a field with a `limit` or `first` argument multiplies what is
 * selected under it by that size (its default when omitted), so three nested
 * `similar(limit: 50)` cost 50 × 50 × 50 × their fields, as many books as they would fetch.
 */
export const listSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = SIZE_ARGUMENTS.map((name) => args[name]).find((value): value is number => typeof value === "number");
  return 1 + childComplexity * (size === undefined ? 1 : Math.max(0, size));
};

/**
 * The operation's cost under the estimator above, computed by graphql-query-complexity
 * with the request's variables, defaults and @skip/@include. `maxNodes` bounds the
 * work of the walk itself (fragments are expanded where spread).
 */
export function measureCost(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  maxNodes: number;
}): number {
  return getComplexity({
    estimators: [listSizeEstimator],
    schema: options.schema,
    query: options.document,
    ...(options.operationName ? { operationName: options.operationName } : {}),
    variables: options.variables ?? {},
    maxQueryNodes: options.maxNodes,
  });
}
