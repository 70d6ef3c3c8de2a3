import { hostname } from "node:os";
import type { Runtime } from "../../runtime.ts";
import { tracerFor } from "../../tracing/provider.ts";
import { tracedStream } from "../../tracing/traced-stream.ts";
import { startEmbeddingsRole } from "./embeddings.ts";
import { startPreferencesRole } from "./preferences.ts";
import { startRetrainRole } from "./retrain.ts";
import { STREAM_ROLES, type RoleOptions, type RunningRole, type StreamRole } from "./role.ts";
import { startTrendingRole } from "./trending.ts";

export { STREAM_ROLES, type RunningRole, type StreamRole };

const STARTERS: Record<StreamRole, (options: RoleOptions) => Promise<RunningRole>> = {
  trending: startTrendingRole,
  preferences: startPreferencesRole,
  embeddings: startEmbeddingsRole,
  retrain: startRetrainRole,
};

export interface RunningRoles {
  readonly roles: readonly RunningRole[];
  stop(): Promise<void>;
}

/** Starts the given consumer roles on a runtime (all of them in the embedded `npm start`). */
export async function startStreamRoles(untraced: Runtime, roles: readonly StreamRole[] = STREAM_ROLES): Promise<RunningRoles> {
  // With tracing on, every handled event is a span (lib/tracing); otherwise the runtime is used as it is.
  const tracer = tracerFor(untraced.config, "stream");
  const runtime: Runtime = tracer ? { ...untraced, stream: tracedStream(untraced.stream, tracer) } : untraced;
  // A stable name (STREAM_CONSUMER_NAME, e.g. the pod's) lets a restarted consumer resume its own pending events at once.
  const consumer = runtime.config.STREAM_CONSUMER_NAME ?? `${hostname()}-${process.pid}`;
  const running: RunningRole[] = [];
  try {
    for (const role of roles) running.push(await STARTERS[role]({ runtime, consumer }));
  } catch (error) {
    await Promise.allSettled(running.map((role) => role.stop()));
    throw error;
  }
  return {
    roles: running,
    async stop() {
      await Promise.allSettled(running.map((role) => role.stop()));
    },
  };
}
