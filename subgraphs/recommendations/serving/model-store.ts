import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { ModelChangedEvent } from "../../../lib/events/model-changed.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import type { ServingRole } from "../../../lib/models/serving-description.ts";
import { productionVersions, type RegisteredVersion } from "../../../lib/models/registry-reads.ts";
import { verifyVersion, resolveArtifactPath } from "../../../lib/models/artifact-format.ts";
import type { SessionThreads } from "../../../lib/models/onnx.ts";
import { loadModel, type LoadedModel } from "./loaded-model.ts";
import { PinnedVersions } from "./pinned-versions.ts";

/** A variant's pinned version of one model (a canary rollout). */
export interface ModelPin {
  readonly name: ModelName;
  readonly version: number;
}

/**
 * The production version of each model, as the registry says. A switch loads the
 * new version completely before it replaces the old one in a single assignment, so
 * a request sees either version, never a half-loaded one; the old version's
 * sessions are released when its last in-flight request returns it. A production
 * version that cannot be loaded (missing or altered files) is not served at all:
 * requests fall back rather than keep serving a version the registry replaced.
 */
export class ModelStore {
  private readonly current = new Map<ModelName, LoadedModel>();
  /** Production versions that could not be loaded, and why: what the fallback log and /metrics report. */
  private readonly failed = new Map<ModelName, { version: number; reason: string }>();
  private switching: Promise<void> = Promise.resolve();
  /** Whether the registry has been read once: until then the service is not ready. */
  loaded = false;
  loadFailures = 0;
  switches = 0;
  /** Told of every production version that cannot be served (a metric's hook). */
  onLoadFailure: (model: ModelName, version: number, reason: string) => void = () => {};
  /** Non-production versions experiment variants pin, loaded on demand. */
  readonly pinned: PinnedVersions;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly root: string,
    private readonly logger: Logger,
    private readonly onClosed: (model: LoadedModel) => void,
    private readonly threads: SessionThreads = {},
  ) {
    this.pinned = new PinnedVersions(prisma, root, logger, onClosed, threads);
  }

  /** Loads every production version; a model that fails is logged and left out. */
  async loadProduction(): Promise<void> {
    const rows = await productionVersions(this.prisma);
    await Promise.all(rows.map((row) => this.install(row)));
    this.loaded = true;
  }

  /** Why a model is not being served: its production version failed to load, or none is registered. */
  whyMissing(name: ModelName): string {
    if (this.current.has(name)) return "loaded";
    const failure = this.failed.get(name);
    if (failure) return `production version ${failure.version} cannot be loaded: ${failure.reason}`;
    return this.loaded ? "no production version registered" : "the model registry has not been read yet";
  }

  /**
   * Production versions in the registry that this process does not serve yet and has
   * not already failed to load: what a missed MODEL_CHANGED event (pub/sub is
   * fire-and-forget) left behind.
   */
  async unannounced(): Promise<{ name: ModelName; version: number }[]> {
    const rows = await productionVersions(this.prisma);
    return rows
      .filter((row) => this.current.get(row.name)?.version !== row.version && this.failed.get(row.name)?.version !== row.version)
      .map((row) => ({ name: row.name, version: row.version }));
  }

  /** Every production model that is not being served, with why. */
  missing(): Partial<Record<ModelName, string>> {
    return Object.fromEntries([...this.failed.keys()].filter((name) => !this.current.has(name)).map((name) => [name, this.whyMissing(name)]));
  }

  /** Re-reads the registry for the announced model and installs its production version. Serialised. */
  handleModelChanged(event: ModelChangedEvent): Promise<void> {
    this.switching = this.switching.then(async () => {
      const rows = await productionVersions(this.prisma).catch((error: unknown) => {
        this.logger.error({ err: error }, "cannot read the model registry");
        return null;
      });
      if (rows === null) return;
      const production = rows.find((row) => row.name === event.name);
      if (!production) {
        this.failed.delete(event.name);
        this.replace(event.name, undefined);
        return;
      }
      await this.install(production);
    });
    return this.switching;
  }

  /** The serving version of a model, leased: call release() when done with it. */
  lease(name: ModelName): LoadedModel | null {
    return this.current.get(name)?.acquire() ?? null;
  }

  /**
   * Every serving model, leased, with the pinned version in place of its model's
   * production one. A pin that cannot be loaded leaves production in place and
   * says why (`pinFailure`): a canary never fails a request.
   */
  async leaseAllPinned(pin: ModelPin | null): Promise<{ leased: LoadedModel[]; pinFailure: string | null }> {
    if (!pin || this.current.get(pin.name)?.version === pin.version) return { leased: this.leaseAll(), pinFailure: null };
    const pinned = await this.pinned.lease(pin.name, pin.version);
    if (!pinned.model) return { leased: this.leaseAll(), pinFailure: pinned.reason };
    const others = [...this.current.values()].filter((model) => model.name !== pin.name).map((model) => model.acquire());
    return { leased: [...others, pinned.model], pinFailure: null };
  }

  /** Every serving model of a role, leased (release each). */
  leaseRole(role: ServingRole): LoadedModel[] {
    return [...this.current.values()].filter((model) => model.role === role).map((model) => model.acquire());
  }

  /** Whether some serving model can list similar books (else warming the cache is pointless). */
  answersSimilar(): boolean {
    return [...this.current.values()].some((model) => model.has("item-neighbours") || model.has("item-top-k"));
  }

  /** Every serving model, leased (release each). */
  leaseAll(): LoadedModel[] {
    return [...this.current.values()].map((model) => model.acquire());
  }

  versions(): Partial<Record<ModelName, number>> {
    return Object.fromEntries([...this.current].map(([name, model]) => [name, model.version]));
  }

  /**
   * Every loaded version in one token: cache keys carry it, so a switch retires
   * every older entry. The digest is part of it because version numbers restart
   * with a fresh registry, while a shared Redis may still hold the old entries.
   */
  versionTag(): string {
    const names = [...this.current.keys()].sort();
    if (names.length === 0) return "none";
    return names.map((name) => `${name}${this.current.get(name)!.version}-${this.current.get(name)!.digest.slice(0, 8)}`).join(".");
  }

  async close(): Promise<void> {
    await this.switching.catch(() => {});
    for (const name of [...this.current.keys()]) this.replace(name, undefined);
    this.pinned.close();
  }

  private async install(row: RegisteredVersion): Promise<void> {
    const existing = this.current.get(row.name);
    try {
      if (existing && existing.version === row.version) {
        // Re-announced: keep the loaded sessions if the files are still the registered ones.
        await verifyVersion(resolveArtifactPath(this.root, row.artifactPath), row.sha256);
        return;
      }
      const loaded = await loadModel(this.root, row, this.onClosed, this.threads);
      this.replace(row.name, loaded);
      this.failed.delete(row.name);
      this.switches += 1;
      this.logger.info({ model: row.name, version: row.version, previous: existing?.version ?? null }, "model version serving");
    } catch (error) {
      this.loadFailures += 1;
      const reason = error instanceof Error ? error.message : String(error);
      this.failed.set(row.name, { version: row.version, reason });
      this.logger.error({ err: error, model: row.name, version: row.version }, "model version cannot be served; falling back");
      this.onLoadFailure(row.name, row.version, reason);
      this.replace(row.name, undefined);
    }
  }

  private replace(name: ModelName, next: LoadedModel | undefined): void {
    const previous = this.current.get(name);
    if (next) this.current.set(name, next);
    else this.current.delete(name);
    if (previous && previous !== next) previous.retire();
  }
}
