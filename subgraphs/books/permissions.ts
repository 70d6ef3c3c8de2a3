import type { IRules } from "graphql-shield";

/** The catalogue is public to read; catalogue mutations (admin only) arrive with the catalogue issue. */
export const permissions: IRules = {};
