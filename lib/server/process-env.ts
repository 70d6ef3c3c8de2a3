import { heapNodeOptions, type HeapLimitedService } from "./heap-limits.ts";
import { MALLOC_ENV } from "./malloc-settings.ts";

/**
 * The environment a service's process is started with, as deployed: its V8 heap flags
 * (./heap-limits.ts) and its malloc settings (./malloc-settings.ts). Compose and the
 * Kubernetes manifests write the same values (test/deploy.test.ts holds them to these);
 * the bench and the fault suite start their service processes with this, so a new
 * process setting is added here once rather than at each place that starts a service.
 */
export const serviceProcessEnv = (service: HeapLimitedService): Record<string, string> => ({
  NODE_OPTIONS: heapNodeOptions(service),
  ...MALLOC_ENV[service],
});
