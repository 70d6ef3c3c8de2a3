import type { IRules } from "graphql-shield";

/** Experiment definitions are readable by any client that renders variants; managing them is for admins. */
export const permissions: IRules = {};
