import { allow, rule } from "graphql-shield";
import { forbidden, unauthenticated } from "../errors.ts";
import type { RequestContext } from "../server/context.ts";

/**
 * graphql-shield rules shared by the subgraphs, one per kind of access a field can
 * have. Every subgraph shields with `fallbackRule: deny`, so each field is listed
 * under exactly one of these. Rules return the coded error itself so clients see
 * UNAUTHENTICATED vs FORBIDDEN, not a generic denial. Results are cached per
 * request where they do not depend on the parent.
 */

/** Anyone, signed in or not, partners included. */
export const isPublic = allow;

/**
 * Federation's own entry points (the gateway's entity fetches and SDL). What the
 * entities expose is still decided by their fields' rules.
 */
export const isFederationInternal = allow;

/** A signed-in reader (or administrator). Partner keys act as no reader. */
export const isReader = rule({ cache: "contextual" })(async (_parent, _args, context: RequestContext) => {
  if (context.identity.kind === "apiKey") return forbidden("API keys act as no reader; sign in as one");
  return context.viewer !== null || unauthenticated();
});
/** The name the subgraphs used before partner keys existed. */
export const isAuthenticated = isReader;

export const isAdmin = rule({ cache: "contextual" })(async (_parent, _args, context: RequestContext) => {
  if (context.identity.kind === "anonymous") return unauthenticated();
  return context.viewer?.role === "ADMIN" || forbidden("Only administrators may do this");
});

/** For fields of a User: the user themself or an administrator. */
export const isSelfOrAdmin = rule({ cache: "strict" })(
  async (parent: { id: number | string }, _args, context: RequestContext) => {
    if (context.identity.kind === "anonymous") return unauthenticated();
    if (context.viewer && (context.viewer.role === "ADMIN" || Number(parent.id) === context.viewer.userId)) return true;
    return forbidden("Only this user and administrators can see this");
  },
);

/** For fields of a User that only the user themself may see, not even administrators (their feed). */
export const isSelf = rule({ cache: "strict" })(async (parent: { id: number | string }, _args, context: RequestContext) => {
  if (context.identity.kind === "anonymous") return unauthenticated();
  return (context.viewer !== null && Number(parent.id) === context.viewer.userId) || forbidden("Only this user can see this");
});

/** The entry points every subgraph built with @apollo/subgraph has. */
export const federationRules = {
  Query: { _service: isFederationInternal, _entities: isFederationInternal },
  _Service: isFederationInternal,
} as const;
