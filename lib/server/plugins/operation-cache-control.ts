import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import { trackRequestCachePolicy } from "../../graphql/cache-hint.ts";
import { OperationCachePolicies } from "../../graphql/operation-cache-policy.ts";

/**
 * A subgraph's cache policy and Cache-Control header, worked out once per distinct
 * operation (lib/graphql/operation-cache-policy.ts) in place of Apollo Server's
 * cache-control plugin, which does it field by field as they resolve: a hook, a
 * policy object and closures for every field of every answer. On the signed-in
 * flagship (~60 fields per answer) that plugin was 15 % of what the recommendations
 * subgraph allocated; without it the subgraph spent about a fifth less CPU per
 * request (bench/README.md, "Apollo's cache-control plugin, field by field").
 *
 * The header is Apollo's: `max-age=N, public|private` for a cacheable answer without
 * errors, `no-store` otherwise. The gateway restricts its own policy by it.
 */
export function operationCacheControlPlugins<Context extends BaseContext>(schema: GraphQLSchema): ApolloServerPlugin<Context>[] {
  const policies = new OperationCachePolicies(schema);
  return [
    ApolloServerPluginCacheControlDisabled(),
    {
      async requestDidStart() {
        return {
          async executionDidStart({ contextValue, document, operationName, overallCachePolicy }) {
            overallCachePolicy.restrict(policies.of(document, operationName));
            trackRequestCachePolicy(contextValue, overallCachePolicy);
          },
          async willSendResponse({ response, overallCachePolicy }) {
            const cacheable = overallCachePolicy.policyIfCacheable();
            const clean = response.body.kind === "single" && !response.body.singleResult.errors;
            response.http.headers.set("cache-control", cacheable && clean ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : "no-store");
          },
        };
      },
    },
  ];
}
