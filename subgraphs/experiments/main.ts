import { runService } from "../../lib/server/run-service.ts";
import { startSubgraphServer } from "../../lib/server/subgraph-server.ts";
import { experimentsSubgraph } from "./subgraph.ts";

await runService("experiments", (runtime) => startSubgraphServer(experimentsSubgraph, runtime, runtime.config.EXPERIMENTS_PORT));
