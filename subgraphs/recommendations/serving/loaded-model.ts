import { join } from "node:path";
import { HYBRID_RECIPE, readHybridRecipe, readIdMaps, resolveArtifactPath, servingDescriptionOf, verifyVersion, type HybridRecipe, type IdMaps } from "../../../lib/models/artifact-format.ts";
import { planGraphCall, type GraphCall } from "../../../lib/models/graph-calls.ts";
import { INITIALIZER, type GraphKind } from "../../../lib/models/graph-signatures.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { loadSession, readFloatInitializer, type InferenceSession, type SessionThreads } from "../../../lib/models/onnx.ts";
import type { RegisteredVersion } from "../../../lib/models/registry-reads.ts";
import type { ServingDescription, ServingRole } from "../../../lib/models/serving-description.ts";
import { alsStateOf, type AlsState } from "../../../lib/models/fold-in.ts";
import { SERVED_GRAPH_KINDS } from "./graphs.ts";

/**
 * State of a factor model (one exporting user vectors) serving keeps outside the
 * graphs: the fold-in solve needs the item factors, Y^T Y and the training settings.
 */
export type FactorState = AlsState;

/** Item embeddings (of a model exporting an item-top-k graph): diversity re-ranking and reasons. */
export interface EmbeddingState {
  readonly dimensions: number;
  /** itemCount x dimensions, unit rows. */
  readonly embeddings: Float32Array;
}

export interface ModelState {
  factors?: FactorState;
  embeddings?: EmbeddingState;
  popularity?: Float32Array;
  recipe?: HybridRecipe;
}

/**
 * One registered model version loaded for serving, whatever its algorithm: its
 * serving description (role, graphs), ONNX sessions, id maps and the constants
 * serving needs outside the graphs. Requests lease it; once a newer version replaces
 * it, it is retired and its sessions are released when the last in-flight request
 * using it returns it.
 */
export class LoadedModel {
  readonly itemIndex: ReadonlyMap<number, number>;
  readonly userIndex: ReadonlyMap<number, number>;
  private readonly calls = new Map<GraphKind, { file: string; call: GraphCall }>();
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
    readonly description: ServingDescription,
    private readonly sessions: ReadonlyMap<string, InferenceSession>,
    readonly state: ModelState,
    readonly hyperparameters: Readonly<Record<string, unknown>>,
    private readonly onClosed: (model: LoadedModel) => void,
  ) {
    this.itemIndex = new Map(ids.items.map((id, index) => [id, index]));
    this.userIndex = new Map(ids.users.map((id, index) => [id, index]));
    for (const [kind, file] of Object.entries(description.graphs) as [GraphKind, string][]) {
      const session = sessions.get(file);
      if (session) this.calls.set(kind, { file, call: planGraphCall(session, kind) });
    }
  }

  get key(): string {
    return `${this.name}@${this.version}`;
  }

  get role(): ServingRole {
    return this.description.role;
  }

  /** Whether the version was exported with a graph of this kind. */
  has(kind: GraphKind): boolean {
    return this.description.graphs[kind] !== undefined;
  }

  /** The file holding the graph of this kind, and how to run that kind in its session. */
  graph(kind: GraphKind): { file: string; call: GraphCall } {
    const graph = this.calls.get(kind);
    if (!graph) throw new Error(`${this.key} has no ${kind} graph`);
    return graph;
  }

  /** Every graph file of the version (each may have a session in an inference worker). */
  get files(): string[] {
    return [...new Set(Object.values(this.description.graphs))];
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

/**
 * Verifies a registered version's files against the registry's sha256 (a missing or
 * altered artifact fails here, before anything is served from it), reads its
 * serving description and opens a session per file holding a graph it runs. What
 * serving keeps outside the graphs follows from the graph kinds, not from the
 * model's name.
 */
export async function loadModel(
  root: string,
  registered: RegisteredVersion,
  onClosed: (model: LoadedModel) => void,
  threads: SessionThreads = {},
): Promise<LoadedModel> {
  const directory = resolveArtifactPath(root, registered.artifactPath);
  const manifest = await verifyVersion(directory, registered.sha256);
  const description = servingDescriptionOf(directory, manifest);
  const { name, version, sha256, hyperparameters } = registered;
  if (description.role === "blend" || manifest.files.some((f) => f.file === HYBRID_RECIPE)) {
    const recipe = await readHybridRecipe(directory);
    return new LoadedModel(name, version, sha256, directory, { users: [], items: [] }, { role: "blend", graphs: {} }, new Map(), { recipe }, hyperparameters, onClosed);
  }
  const ids = await readIdMaps(directory);
  const sessions = new Map<string, InferenceSession>();
  const { graphs } = description;
  try {
    // Opened together: a version has up to four graphs and a retraining switches every model at once.
    const served = Object.entries(graphs).filter(([kind]) => SERVED_GRAPH_KINDS.has(kind as GraphKind));
    const files = [...new Set(served.map(([, file]) => file))];
    const opened = await Promise.allSettled(files.map((file) => loadSession(join(directory, file), threads)));
    opened.forEach((result, n) => {
      if (result.status === "fulfilled") sessions.set(files[n]!, result.value);
    });
    const failed = opened.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const state: ModelState = {};
    if (graphs["vector-scorer"] && graphs["user-vectors"]) {
      const items = await readFloatInitializer(join(directory, graphs["vector-scorer"]), INITIALIZER.itemFactors);
      const users = await readFloatInitializer(join(directory, graphs["user-vectors"]), INITIALIZER.userFactors);
      state.factors = alsStateOf(hyperparameters, items, users.data);
    }
    if (graphs["item-top-k"]) {
      const embeddings = await readFloatInitializer(join(directory, graphs["item-top-k"]), INITIALIZER.embeddings).catch(() => null);
      if (embeddings) state.embeddings = { dimensions: embeddings.dims[1]!, embeddings: embeddings.data };
    }
    if (graphs["popularity-scorer"]) state.popularity = (await readFloatInitializer(join(directory, graphs["popularity-scorer"]), INITIALIZER.popularity)).data;
    return new LoadedModel(name, version, sha256, directory, ids, description, sessions, state, hyperparameters, onClosed);
  } catch (error) {
    await Promise.allSettled([...sessions.values()].map((session) => session.release()));
    throw error;
  }
}
