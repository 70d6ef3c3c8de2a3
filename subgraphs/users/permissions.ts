import type { IRules } from "graphql-shield";
import { isAuthenticated, isSelfOrAdmin } from "../../lib/auth/rules.ts";

export const permissions: IRules = {
  Query: { me: isAuthenticated },
  User: { email: isSelfOrAdmin },
};
