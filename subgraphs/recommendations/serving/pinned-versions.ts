import type { Logger } from "../../../lib/logger.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { registeredVersion } from "../../../lib/models/registry-reads.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";
import type { SessionThreads } from "../../../lib/models/onnx.ts";
import { loadModel, type LoadedModel } from "./loaded-model.ts";

/** At most this many non-production versions stay loaded at once (each holds ONNX sessions). */
const MAX_PINNED = 4;
/** A version that could not be loaded is not retried on every request. */
const RETRY_AFTER_MS = 60_000;

const keyOf = (name: ModelName, version: number) => `${name}@${version}`;

/** A pinned version and whether it could be leased: serving falls back to production and says why. */
export type PinnedLease = { readonly model: LoadedModel } | { readonly model: null; readonly reason: string };

/**
 * Registered but non-production versions that experiment variants pin (canary
 * rollouts), loaded on first use and verified against the registry's digest like
 * production ones. The set is bounded: the least recently used version is retired
 * when a new one is needed (its sessions close once its in-flight requests return
 * it), and `retain` retires versions no running experiment pins any more.
 */
export class PinnedVersions {
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private readonly failed = new Map<string, { at: number; reason: string }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly root: string,
    private readonly logger: Logger,
    private readonly onClosed: (model: LoadedModel) => void,
    private readonly threads: SessionThreads = {},
  ) {}

  /** The version, leased (release it), loading it if needed; never throws. */
  async lease(name: ModelName, version: number): Promise<PinnedLease> {
    const key = keyOf(name, version);
    const ready = this.loaded.get(key);
    if (ready) {
      // Re-inserted: Map order is the recency order eviction follows.
      this.loaded.delete(key);
      this.loaded.set(key, ready);
      return { model: ready.acquire() };
    }
    const failure = this.failed.get(key);
    if (failure && Date.now() - failure.at < RETRY_AFTER_MS) return { model: null, reason: failure.reason };
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(name, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    try {
      return { model: (await pending).acquire() };
    } catch (error) {
      return { model: null, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Retires every loaded version not in `pinned` ("name@version" keys of the running experiments' variants). */
  retain(pinned: ReadonlySet<string>): void {
    for (const [key, model] of [...this.loaded]) {
      if (pinned.has(key)) continue;
      this.loaded.delete(key);
      model.retire();
      this.logger.info({ model: model.name, version: model.version }, "pinned model version released");
    }
  }

  /** "name@version" of every loaded pinned version. */
  keys(): string[] {
    return [...this.loaded.keys()];
  }

  close(): void {
    this.retain(new Set());
  }

  private async load(name: ModelName, version: number): Promise<LoadedModel> {
    const key = keyOf(name, version);
    try {
      const row = await registeredVersion(this.prisma, name, version);
      if (!row) throw new Error(`${name} version ${version} is not registered`);
      const model = await loadModel(this.root, row, this.onClosed, this.threads);
      while (this.loaded.size >= MAX_PINNED) {
        const [oldest, evicted] = this.loaded.entries().next().value as [string, LoadedModel];
        this.loaded.delete(oldest);
        evicted.retire();
      }
      this.loaded.set(key, model);
      this.failed.delete(key);
      this.logger.info({ model: name, version }, "pinned model version loaded");
      return model;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.failed.set(key, { at: Date.now(), reason });
      this.logger.error({ err: error, model: name, version }, "pinned model version cannot be loaded; serving production");
      throw error;
    }
  }
}
