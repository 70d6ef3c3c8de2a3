import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../config.ts";
import { applyMigrations } from "../db/migrate.ts";
import { serveMetrics } from "../metrics/metrics-server.ts";
import { createRuntime } from "../runtime.ts";
import { stopOnSignals } from "../server/shutdown.ts";
import { startTracing } from "../tracing/provider.ts";
import { startStreamRoles, STREAM_ROLES, type StreamRole } from "./roles/index.ts";

/**
 * `npm run start:stream -- --role trending|preferences|embeddings|retrain` (repeatable;
 * no --role runs all four): consumers of the durable interaction stream in their own
 * process. The process also relays the outbox, so events still move if no users
 * subgraph is running.
 */
const { values } = parseArgs({ options: { role: { type: "string", multiple: true } } });
const roles = (values.role ?? [...STREAM_ROLES]) as StreamRole[];
const unknown = roles.filter((role) => !STREAM_ROLES.includes(role));
if (unknown.length > 0) {
  process.stderr.write(`Unknown --role ${unknown.join(", ")}: expected one of ${STREAM_ROLES.join(", ")}\n`);
  process.exit(2);
}
const config = loadConfigOrExit();
const runtime = await createRuntime(config, `stream-${roles.join("+")}`);
try {
  await applyMigrations(runtime.db, { logger: runtime.logger });
  runtime.outbox.start();
  let running: Awaited<ReturnType<typeof startStreamRoles>> | undefined;
  const metrics = await serveMetrics({
    host: config.HOST,
    port: config.METRICS_PORT,
    logger: runtime.logger,
    // Ready once its consumers run and the database they write to answers (the stream's own outages are retried inside).
    ready: async () => {
      if (!running) throw new Error("consumers starting");
      await runtime.db.withConnection((connection) => connection.query("SELECT 1"));
    },
  });
  const tracing = await startTracing(config, `stream-${roles.join("+")}`, runtime.logger);
  running = await startStreamRoles(runtime, roles);
  runtime.logger.info({ roles, stream: runtime.stream.kind }, "stream consumers running");
  stopOnSignals(runtime.logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await running?.stop();
    await tracing.stop();
    await metrics.stop();
    await runtime.close();
  });
} catch (error) {
  runtime.logger.fatal({ err: error }, "stream consumers failed to start");
  await runtime.close();
  process.exit(1);
}
