import type { IRules } from "graphql-shield";
import { federationRules, isPublic } from "../../lib/auth/rules.ts";

/**
 * Experiment definitions are readable by any client that renders variants. Every
 * field is listed: anything missing is denied (fallbackRule: deny).
 */
export const permissions: IRules = {
  Query: { ...federationRules.Query, experiments: isPublic, experiment: isPublic },
  _Service: federationRules._Service,
  Experiment: isPublic,
  Variant: isPublic,
};
