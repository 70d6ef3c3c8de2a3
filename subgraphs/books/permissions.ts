import type { IRules } from "graphql-shield";
import { isAdmin } from "../../lib/auth/rules.ts";

/** The catalogue is public to read; changing it is for catalogue staff (ADMIN) only. */
export const permissions: IRules = {
  Mutation: {
    createBook: isAdmin,
    updateBook: isAdmin,
    deleteBook: isAdmin,
    mergeAuthors: isAdmin,
  },
};
