import type { IRules } from "graphql-shield";
import { isSelfOrAdmin } from "../../lib/auth/rules.ts";

/** What a user is recommended reveals their ratings, so only they (or an admin) may see it. */
export const permissions: IRules = {
  User: { recommendations: isSelfOrAdmin },
};
