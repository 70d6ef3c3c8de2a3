import { runService } from "../../lib/server/run-service.ts";
import { startSubgraphServer } from "../../lib/server/subgraph-server.ts";
import { booksSubgraph } from "./subgraph.ts";

await runService("books", (runtime) => startSubgraphServer(booksSubgraph, runtime, runtime.config.BOOKS_PORT));
