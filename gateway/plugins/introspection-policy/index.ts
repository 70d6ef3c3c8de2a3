import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, visit, type DocumentNode } from "graphql";
import { hasScope } from "../../../lib/auth/identity.ts";
import type { Config } from "../../../lib/config.ts";
import type { GatewayContext } from "../../context.ts";

/**
 * Who may introspect the supergraph, decided per request. Outside production
 * anyone may (the Sandbox and codegen need it); GRAPHQL_INTROSPECTION forces it on
 * or off for everyone. Otherwise only a partner key with the `introspection` scope
 * may: the schema is the map of everything there is to attack. Apollo Server
 * itself allows introspection (it can only decide once per process), so this rule
 * is the only gate; a refusal reads exactly as Apollo's own (400
 * GRAPHQL_VALIDATION_FAILED), so clients see one behaviour.
 */
export function introspectionPolicyPlugin(config: Pick<Config, "NODE_ENV" | "GRAPHQL_INTROSPECTION">): ApolloServerPlugin<GatewayContext> {
  const openToAll = config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== "production";
  if (openToAll) return {};
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (!introspects(document) || hasScope(contextValue.identity, "introspection")) return;
          throw new GraphQLError(
            "GraphQL introspection is not allowed here; API keys with the introspection scope may introspect",
            { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
          );
        },
      };
    },
  };
}

/** Per parsed document: Apollo hands a repeated query the same DocumentNode, so it is walked once. */
const introspecting = new WeakMap<DocumentNode, boolean>();

/** `__schema` or `__type` anywhere in the document (`__typename` is ordinary and always allowed). */
function introspects(document: DocumentNode): boolean {
  let found = introspecting.get(document);
  if (found === undefined) introspecting.set(document, (found = walkForIntrospection(document)));
  return found;
}

function walkForIntrospection(document: DocumentNode): boolean {
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
