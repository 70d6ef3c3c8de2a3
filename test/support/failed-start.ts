/**
 * Starts a test supergraph whose gateway cannot start (its supergraph file is missing),
 * says so, and returns without exiting: the process ends by itself only if the failed
 * start closed everything it had opened (Redis clients, database pools, watchers).
 */
import { databaseTargets } from "./databases.ts";
import { startTestSupergraph } from "./supergraph.ts";

const target = databaseTargets().at(-1)!;
try {
  await startTestSupergraph(target, { books: 20, users: 10, seed: 1 }, { SUPERGRAPH_PATH: "/nonexistent/supergraph.graphql" });
  console.log("started, which it should not have");
} catch (error) {
  console.log(`start failed: ${(error as Error).message}`);
}
