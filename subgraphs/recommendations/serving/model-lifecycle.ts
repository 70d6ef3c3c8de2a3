import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import type { ListTelemetry } from "./list-telemetry.ts";
import type { ModelStore } from "./model-store.ts";
import type { ReaderVariants } from "./reader-variants.ts";

/** How often a registry that could not be read at start is tried again. */
const REGISTRY_RETRY_MS = 5_000;
/** How often the registry is compared with what is served, in case a MODEL_CHANGED event was lost. */
const REGISTRY_SWEEP_MS = 30_000;
/** How often pinned versions no running experiment pins any more are released. */
const PINNED_SWEEP_MS = 60_000;

/**
 * Which model versions serve, over time: the production models read at start (and
 * retried while the registry cannot be read), each promotion announced by
 * MODEL_CHANGED, a periodic sweep that catches up with promotions whose event was
 * lost, and the release of versions pinned by experiments that ended. After every
 * change `onModelsChanged` runs (the engine warms its cache).
 */
export class ModelLifecycle {
  private registryRetry: NodeJS.Timeout | undefined;
  private registrySweep: NodeJS.Timeout | undefined;
  private pinnedSweep: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly models: ModelStore,
    private readonly telemetry: ListTelemetry,
    private readonly variants: ReaderVariants,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly onModelsChanged: () => void,
  ) {}

  async start(): Promise<void> {
    if (await this.loadModels()) this.onModelsChanged();
    this.pinnedSweep = setInterval(() => void this.releaseUnpinned(), PINNED_SWEEP_MS);
    this.pinnedSweep.unref();
    this.registrySweep = setInterval(() => void this.catchUpWithRegistry(), REGISTRY_SWEEP_MS);
    this.registrySweep.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.registryRetry);
    clearInterval(this.pinnedSweep);
    clearInterval(this.registrySweep);
  }

  /** Throws until the production models were loaded (or found unloadable, which the fallbacks then cover visibly). */
  ready(): void {
    if (!this.models.loaded) throw new Error("production models not loaded yet");
  }

  async switchModel(event: { name: ModelName; version: number }): Promise<void> {
    await this.models.handleModelChanged(event);
    await this.telemetry.modelsChanged(this.prisma, this.logger);
    this.onModelsChanged();
  }

  /**
   * Promotions arrive as MODEL_CHANGED events, which a Redis outage or a restart of
   * the bus can lose: every REGISTRY_SWEEP_MS the registry is read and any production
   * version not served yet is switched to, so serving converges on the registry anyway.
   */
  async catchUpWithRegistry(): Promise<void> {
    if (this.stopped || !this.models.loaded) return;
    try {
      for (const event of await this.models.unannounced()) {
        this.logger.warn(event, "a promoted model version was not announced here; switching to it");
        await this.switchModel(event);
      }
    } catch (error) {
      this.logger.warn({ err: error }, "cannot compare the served models with the registry");
    }
  }

  /** Retires the pinned versions no running experiment pins any more (a completed canary). */
  async releaseUnpinned(): Promise<void> {
    if (this.models.pinned.keys().length === 0) return;
    const pinned = await this.variants.pinnedKeys();
    if (pinned) this.models.pinned.retain(pinned);
  }

  /**
   * Reads the registry and loads the production models. A registry that cannot be
   * read (the database is down at start) is retried until it can: fallbacks serve
   * meanwhile, and readiness stays false.
   */
  private async loadModels(): Promise<boolean> {
    try {
      await this.models.loadProduction();
      await this.telemetry.modelsChanged(this.prisma, this.logger);
      return true;
    } catch (error) {
      this.logger.error({ err: error, retryInMs: REGISTRY_RETRY_MS }, "cannot read the model registry; serving fallbacks");
      this.registryRetry = setTimeout(() => {
        if (!this.stopped) void this.loadModels().then((loaded) => {
          if (loaded) this.onModelsChanged();
        });
      }, REGISTRY_RETRY_MS);
      this.registryRetry.unref();
      return false;
    }
  }
}
