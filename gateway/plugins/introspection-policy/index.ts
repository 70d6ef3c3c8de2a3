import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, visit, type DocumentNode } from "graphql";
import { hasScope } from "../../../lib/auth/identity.ts";
import type { Config } from "../../../lib/config.ts";
import { ErrorCode } from "../../../lib/errors.ts";
import type { GatewayContext } from "../../context.ts";

/**
 * Who may introspect the supergraph. Outside production anyone may (the Sandbox
 * and codegen need it). In production only a partner key with the `introspection`
 * scope may: the schema is the map of everything there is to attack. The server
 * itself allows introspection, so this per-request rule is the only gate.
 */
export function introspectionPolicyPlugin(config: Pick<Config, "NODE_ENV">): ApolloServerPlugin<GatewayContext> {
  if (config.NODE_ENV !== "production") return {};
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (!introspects(document) || hasScope(contextValue.identity, "introspection")) return;
          throw new GraphQLError("Introspection is only available to API keys with the introspection scope", {
            extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
          });
        },
      };
    },
  };
}

/** `__schema` or `__type` anywhere in the document (`__typename` is ordinary and always allowed). */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}
