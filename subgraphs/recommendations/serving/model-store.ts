import type { PrismaClient } from "../../../lib/db/database.ts";
import type { Logger } from "../../../lib/logger.ts";
import type { ModelChangedEvent } from "../../../lib/events/model-changed.ts";
import { MODEL_NAMES, type ModelName } from "../../../lib/models/model-names.ts";
import { productionVersions, type RegisteredVersion } from "../../../lib/models/registry-reads.ts";
import { verifyVersion, resolveArtifactPath } from "../../../lib/models/artifact-format.ts";
import { loadModel, type LoadedModel } from "./loaded-model.ts";

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
  private switching: Promise<void> = Promise.resolve();
  loadFailures = 0;
  switches = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly root: string,
    private readonly logger: Logger,
    private readonly onClosed: (model: LoadedModel) => void,
  ) {}

  /** Loads every production version; a model that fails is logged and left out. */
  async loadProduction(): Promise<void> {
    const rows = await productionVersions(this.prisma);
    await Promise.all(rows.map((row) => this.install(row)));
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

  versions(): Partial<Record<ModelName, number>> {
    return Object.fromEntries([...this.current].map(([name, model]) => [name, model.version]));
  }

  /**
   * Every loaded version in one token: cache keys carry it, so a switch retires
   * every older entry. The digest is part of it because version numbers restart
   * with a fresh registry, while a shared Redis may still hold the old entries.
   */
  versionTag(): string {
    return MODEL_NAMES.map((name) => {
      const model = this.current.get(name);
      return model ? `${name}${model.version}-${model.digest.slice(0, 8)}` : `${name}0`;
    }).join(".");
  }

  async close(): Promise<void> {
    await this.switching.catch(() => {});
    for (const name of [...this.current.keys()]) this.replace(name, undefined);
  }

  private async install(row: RegisteredVersion): Promise<void> {
    const existing = this.current.get(row.name);
    try {
      if (existing && existing.version === row.version) {
        // Re-announced: keep the loaded sessions if the files are still the registered ones.
        await verifyVersion(resolveArtifactPath(this.root, row.artifactPath), row.sha256);
        return;
      }
      const loaded = await loadModel(this.root, row, this.onClosed);
      this.replace(row.name, loaded);
      this.switches += 1;
      this.logger.info({ model: row.name, version: row.version, previous: existing?.version ?? null }, "model version serving");
    } catch (error) {
      this.loadFailures += 1;
      this.logger.error({ err: error, model: row.name, version: row.version }, "model version cannot be served; falling back");
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
