import { rule } from "graphql-shield";
import { forbidden, unauthenticated } from "../errors.ts";
import type { RequestContext } from "../server/context.ts";

/**
 * graphql-shield rules shared by the subgraphs. Rules return the coded error
 * itself so clients see UNAUTHENTICATED vs FORBIDDEN, not a generic denial.
 * Results are cached per request where they do not depend on the parent.
 */
export const isAuthenticated = rule({ cache: "contextual" })(
  async (_parent, _args, context: RequestContext) => context.viewer !== null || unauthenticated(),
);

export const isAdmin = rule({ cache: "contextual" })(async (_parent, _args, context: RequestContext) => {
  if (!context.viewer) return unauthenticated();
  return context.viewer.role === "ADMIN" || forbidden("Only administrators may do this");
});

/** For fields of a User: the user themself or an administrator. */
export const isSelfOrAdmin = rule({ cache: "strict" })(
  async (parent: { id: number | string }, _args, context: RequestContext) => {
    if (!context.viewer) return unauthenticated();
    if (context.viewer.role === "ADMIN" || Number(parent.id) === context.viewer.userId) return true;
    return forbidden("Only this user and administrators can see this");
  },
);
