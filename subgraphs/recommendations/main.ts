import { runService } from "../../lib/server/run-service.ts";
import { startSubgraphServer } from "../../lib/server/subgraph-server.ts";
import { recommendationsSubgraph } from "./subgraph.ts";

await runService("recommendations", (runtime) => startSubgraphServer(recommendationsSubgraph, runtime, runtime.config.RECOMMENDATIONS_PORT));
