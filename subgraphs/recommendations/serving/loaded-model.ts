import { join } from "node:path";
import {
  MODEL_FILES,
  readHybridRecipe,
  readIdMaps,
  resolveArtifactPath,
  verifyVersion,
  type HybridRecipe,
  type IdMaps,
} from "../../../lib/models/artifact-format.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { loadSession, readFloatInitializer, type InferenceSession } from "../../../lib/models/onnx.ts";
import type { RegisteredVersion } from "../../../lib/models/registry-reads.ts";
import { gramOf, type AlsState } from "../../../lib/models/fold-in.ts";

export type { AlsState };

export interface ContentState {
  readonly dimensions: number;
  /** itemCount x dimensions, unit rows: the diversity re-ranking's similarity. */
  readonly embeddings: Float32Array;
}

/**
 * One registered model version loaded for serving: its ONNX sessions, id maps and
 * the constants serving needs outside the graphs. Requests lease it; once a newer
 * version replaces it, it is retired and its sessions are released when the last
 * in-flight request using it returns it.
 */
export class LoadedModel {
  readonly itemIndex: ReadonlyMap<number, number>;
  readonly userIndex: ReadonlyMap<number, number>;
  private leases = 0;
  private retired = false;
  private closed = false;

  constructor(
    readonly name: ModelName,
    readonly version: number,
    /** The registry's sha256 of the version's files. */
    readonly digest: string,
    readonly directory: string,
    readonly ids: IdMaps,
    private readonly sessions: ReadonlyMap<string, InferenceSession>,
    readonly state: { als?: AlsState; content?: ContentState; popularity?: Float32Array; recipe?: HybridRecipe },
    private readonly onClosed: (model: LoadedModel) => void,
  ) {
    this.itemIndex = new Map(ids.items.map((id, index) => [id, index]));
    this.userIndex = new Map(ids.users.map((id, index) => [id, index]));
  }

  get key(): string {
    return `${this.name}@${this.version}`;
  }

  session(file: string): InferenceSession {
    const session = this.sessions.get(file);
    if (!session || this.closed) throw new Error(`${this.key}: ${file} is not loaded`);
    return session;
  }

  filePath(file: string): string {
    return join(this.directory, file);
  }

  acquire(): this {
    this.leases += 1;
    return this;
  }

  release(): void {
    this.leases -= 1;
    if (this.retired && this.leases === 0) void this.close();
  }

  /** Called when a newer version took its place: closes now if idle, else when the last lease returns. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) void this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    await Promise.allSettled([...this.sessions.values()].map((session) => session.release()));
  }
}

function numberParam(hyperparameters: Record<string, unknown>, key: string, fallback: number): number {
  const value = hyperparameters[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * Verifies a registered version's files against the registry's sha256 (a missing or
 * altered artifact fails here, before anything is served from it) and opens its
 * sessions.
 */
export async function loadModel(root: string, registered: RegisteredVersion, onClosed: (model: LoadedModel) => void): Promise<LoadedModel> {
  const directory = resolveArtifactPath(root, registered.artifactPath);
  await verifyVersion(directory, registered.sha256);
  const { name } = registered;
  if (name === "hybrid") {
    const recipe = await readHybridRecipe(directory);
    return new LoadedModel(name, registered.version, registered.sha256, directory, { users: [], items: [] }, new Map(), { recipe }, onClosed);
  }
  const ids = await readIdMaps(directory);
  const files: string[] = Object.values(MODEL_FILES[name]);
  const sessions = new Map<string, InferenceSession>();
  try {
    for (const file of files) sessions.set(file, await loadSession(join(directory, file)));
    const state: LoadedModel["state"] = {};
    if (name === "als") {
      const items = await readFloatInitializer(join(directory, MODEL_FILES.als.vectorScorer), "item_factors");
      const users = await readFloatInitializer(join(directory, MODEL_FILES.als.userVectors), "user_factors");
      const k = items.dims[1]!;
      state.als = {
        factors: k,
        regularization: numberParam(registered.hyperparameters, "regularization", 1),
        alpha: numberParam(registered.hyperparameters, "alpha", 1),
        userFactors: users.data,
        itemFactors: items.data,
        gram: gramOf(items.data, items.dims[0]!, k),
      };
    } else if (name === "content") {
      const embeddings = await readFloatInitializer(join(directory, MODEL_FILES.content.itemTopK), "embeddings");
      state.content = { dimensions: embeddings.dims[1]!, embeddings: embeddings.data };
    } else if (name === "popularity") {
      state.popularity = (await readFloatInitializer(join(directory, MODEL_FILES.popularity.scorer), "popularity")).data;
    }
    return new LoadedModel(name, registered.version, registered.sha256, directory, ids, sessions, state, onClosed);
  } catch (error) {
    await Promise.allSettled([...sessions.values()].map((session) => session.release()));
    throw error;
  }
}
