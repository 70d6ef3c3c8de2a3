import { allow, type IRules } from "graphql-shield";
import { federationRules, isAdmin, isAuthenticated, isSelfOrAdmin } from "../../lib/auth/rules.ts";

/**
 * Every field has its rule, so a deny-by-default fallback changes nothing here.
 * Experiment definitions are readable by any client that renders variants;
 * managing them and reading their results is for admins; events are a reader's
 * own; which experiments a reader is in, only they and admins see.
 */
export const permissions: IRules = {
  Query: { ...federationRules.Query, experiments: allow, experiment: allow },
  _Service: federationRules._Service,
  Mutation: {
    createExperiment: isAdmin,
    updateExperiment: isAdmin,
    startExperiment: isAdmin,
    pauseExperiment: isAdmin,
    completeExperiment: isAdmin,
    trackEvent: isAuthenticated,
    trackEvents: isAuthenticated,
  },
  Experiment: { "*": allow, results: isAdmin },
  Variant: { "*": allow },
  Targeting: { "*": allow },
  Assignment: { "*": allow },
  User: { id: allow, assignment: isSelfOrAdmin, experiments: isSelfOrAdmin },
  ExperimentResults: { "*": allow },
  VariantResult: { "*": allow },
  Interval: { "*": allow },
  EventCount: { "*": allow },
  SampleRatioMismatch: { "*": allow },
};
