import { runService } from "../../lib/server/run-service.ts";
import { startSubgraphServer } from "../../lib/server/subgraph-server.ts";
import { usersSubgraph } from "./subgraph.ts";

await runService("users", (runtime) => startSubgraphServer(usersSubgraph, runtime, runtime.config.USERS_PORT));
