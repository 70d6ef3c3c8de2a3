import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { GatewayContext } from "../../context.ts";

/**
 * One error per failure. A field that several subgraphs can resolve (`Query.book`
 * is shareable) may be planned as parallel fetches to each of them; when the thing
 * does not exist, every one of them reports it, and the client would read the same
 * NOT_FOUND at the same path twice. Errors equal in message, path and code are
 * reported once; anything that differs stays.
 */
export function duplicateErrorsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const errors = response.body.singleResult.errors;
          if (!errors || errors.length < 2) return;
          const unique = withoutDuplicates(errors);
          if (unique.length < errors.length) response.body.singleResult.errors = unique;
        },
      };
    },
  };
}

export function withoutDuplicates(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = JSON.stringify([error.message, error.path ?? null, error.extensions?.code ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
