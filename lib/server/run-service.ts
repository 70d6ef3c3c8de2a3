import { loadConfigOrExit } from "../config.ts";
import { serveMetrics } from "../metrics/metrics-server.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import type { RunningService } from "./subgraph-server.ts";
import { stopOnSignals } from "./shutdown.ts";
import { startTracing } from "../tracing/provider.ts";


/** Entry point of a service running as its own process. */
export async function runService(name: string, start: (runtime: Runtime) => Promise<RunningService>): Promise<void> {
  const config = loadConfigOrExit();
  const runtime = await createRuntime(config, name);
  try {
    const metrics = await serveMetrics({ host: config.HOST, port: config.METRICS_PORT, logger: runtime.logger });
    const tracing = await startTracing(config, name, runtime.logger);
    const service = await start(runtime);
    stopOnSignals(runtime.logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
      await service.stop();
      await tracing.stop();
      await metrics.stop();
      await runtime.close();
    });
  } catch (error) {
    runtime.logger.fatal({ err: error }, "failed to start");
    await runtime.close();
    process.exit(1);
  }
}
