import { HYBRID } from "../../../lib/models/model-names.ts";
import { maximalMarginalRelevance } from "./diversify.ts";
import type { FallbackLists } from "./fallback-lists.ts";
import { historyScores, historyTopK, itemTopK, neighbourRows, vectorPairScores, vectorTopK, type IndexedList } from "./graphs.ts";
import type { LoadedModel } from "./loaded-model.ts";
import type { ModelPin, ModelStore } from "./model-store.ts";
import { personalReasons, similarReasons } from "./reasons.ts";
import { clamp01, LIST_LENGTH, type Prediction, type ServedItem, type ServedList, type Source, type Strategy } from "./served-list.ts";
import type { SharedBatcher } from "./shared-batcher.ts";
import { modelsFor, recipeModel, type WeightedModel } from "./strategy-models.ts";
import type { ReaderHistory } from "../../../lib/models/user-history.ts";
import type { BookFactsCache } from "./book-facts-cache.ts";
import type { ReaderHistories } from "./reader-histories.ts";
import type { UserVectors } from "./user-vectors.ts";

/** Under this mean confidence of the top 10, a model list is blended with popularity. */
const LOW_CONFIDENCE = 0.3;

interface Component {
  readonly model: LoadedModel;
  readonly weight: number;
  readonly scores: Map<number, number>;
}

/** A book a list may hold, before its reasons are written. */
interface Candidate {
  readonly bookId: number;
  score: number;
}

/**
 * Highest score first (sort is stable: ties keep their order). Compares rather than
 * subtracts: a fractional difference is a new heap number per comparison, and lists
 * of hundreds of candidates are sorted on every request.
 */
const byScore = (a: Candidate, b: Candidate) => (a.score > b.score ? -1 : a.score < b.score ? 1 : 0);
/** Highest score first, then lowest book id. */
const byScoreThenId = (a: Candidate, b: Candidate) => byScore(a, b) || a.bookId - b.bookId;

/** Sums of neighbour weights are unbounded: 1 - e^-sum turns them into a 0-1 confidence. */
const saturate = (sum: number) => 1 - Math.exp(-sum);

/**
 * The lists and scores the production models give, whatever their algorithms: each
 * model answers through the graph kinds its serving description lists (neighbour
 * rows or item top-K for similar books; user-vector or history top-K for readers;
 * vector or history scorers for scores), the strategy picks the models
 * (strategy-models.ts) and the hybrid recipe weighs them. Every inference goes
 * through the shared batcher. `null` means no model could answer (the caller falls back).
 */
export class ModelLists {
  constructor(
    private readonly histories: ReaderHistories,
    private readonly facts: BookFactsCache,
    private readonly models: ModelStore,
    private readonly batcher: SharedBatcher,
    private readonly vectors: UserVectors,
    private readonly fallbacks: FallbackLists,
  ) {}

  /** `pin`: a variant's pinned version, served in place of that model's production version (production if it cannot be loaded). */
  async similar(bookId: number, strategy: Strategy, diversify: boolean, pin: ModelPin | null = null): Promise<ServedList | null> {
    const { leased } = await this.models.leaseAllPinned(pin);
    try {
      const can = (model: LoadedModel) => model.itemIndex.has(bookId) && (model.has("item-neighbours") || model.has("item-top-k"));
      // A book nobody has read together with another has no collaborative neighbours: the
      // models the recipe weighs at zero (content, typically) answer for it instead.
      const components = await answering(strategy, leased, can, pin, (picked) =>
        Promise.all(
          picked.map(async ({ model, weight }): Promise<Component> => {
            const item = model.itemIndex.get(bookId)!;
            const [list] = model.has("item-neighbours")
              ? await this.batcher.run(model, neighbourRows(model), [item])
              : await this.batcher.run(model, itemTopK(model), [{ item, k: LIST_LENGTH * 2 }]);
            return { model, weight, scores: toIds(model, list!) };
          }),
        ),
      );
      if (components.length === 0) return null;
      const blended = blend(components, new Set([bookId]));
      const facts = await this.facts.of([bookId, ...blended.slice(0, LIST_LENGTH * 2).map((c) => c.bookId)]);
      const seed = facts.get(bookId);
      const byRole = (role: string, id: number) => components.some((c) => c.model.role === role && c.scores.has(id));
      return this.finish(leased, components, blended, diversify, (bookId) =>
        similarReasons(seed, facts.get(bookId), byRole("collaborative", bookId), byRole("content", bookId)),
      );
    } finally {
      releaseAll(leased);
    }
  }

  /** A reader's list; a reader without history gets the cold-start list (not a fallback: there is no taste to model yet). */
  async forReader(userId: number, strategy: Strategy, excludeRead: boolean, diversify: boolean, pin: ModelPin | null = null): Promise<ServedList | null> {
    const history = await this.histories.of(userId);
    if (history.length === 0) return this.fallbacks.coldStart(userId);
    const { leased } = await this.models.leaseAllPinned(pin);
    try {
      const exclude = excludeRead ? new Set(history.bookIds) : new Set<number>();
      const want = LIST_LENGTH * 2 + exclude.size;
      const can = (model: LoadedModel) => (model.has("user-top-k") && model.state.factors !== undefined) || model.has("history-top-k");
      const components = await answering(strategy, leased, can, pin, (picked) => Promise.all(picked.map((entry) => this.readerList(entry, userId, history, want))));
      if (components.length === 0) return null;
      const blended = blend(components, exclude).slice(0, LIST_LENGTH * 2);
      const anchors = history.newest(50);
      const facts = await this.facts.of([...anchors.map((entry) => entry.bookId), ...blended.map((c) => c.bookId)]);
      const embedded = embeddingModel(leased);
      const indexedAnchors = anchors.map((entry) => ({ ...entry, index: embedded?.itemIndex.get(entry.bookId) }));
      return this.finish(leased, components, blended, diversify, (bookId) =>
        personalReasons(embedded?.itemIndex.get(bookId), facts.get(bookId), indexedAnchors, facts, embedded?.state.embeddings),
      );
    } finally {
      releaseAll(leased);
    }
  }

  /**
   * Predicted preference of the reader for each book, 0 to 1, from the collaborative
   * models that can score pairs (blended by the recipe), with what produced each
   * score; popularity for books none knows, and for a reader with no history yet
   * (COLD_START). Null without such a model.
   */
  async predictions(userId: number, bookIds: readonly number[]): Promise<Map<number, Prediction> | null> {
    const leased = this.models.leaseAll();
    try {
      const picked = modelsFor("CF", leased, (model) => (model.has("vector-scorer") && model.state.factors !== undefined) || model.has("history-scorer"));
      if (picked.length === 0) return null;
      let history: ReaderHistory | undefined;
      const totals = new Map<number, number>();
      const weights = new Map<number, number>();
      let anyTaste = false;
      for (const { model, weight } of picked) {
        const known = bookIds.filter((id) => model.itemIndex.has(id));
        if (known.length === 0) continue;
        const items = known.map((id) => model.itemIndex.get(id)!);
        let raw: ArrayLike<number> | null = null;
        if (model.has("vector-scorer") && model.state.factors) {
          const vector = await this.vectors.vectorOf(model, userId);
          if (vector) raw = (await this.batcher.run(model, vectorPairScores(model), items.map((item) => ({ vector, item })))).map(clamp01);
        } else {
          history ??= await this.histories.of(userId);
          const indexed = oldestFirst(model, history);
          if (indexed.length > 0) raw = Array.from((await this.batcher.run(model, historyScores(model), [{ history: indexed, items: Int32Array.from(items) }]))[0]!, saturate);
        }
        if (!raw) continue;
        anyTaste = true;
        known.forEach((id, n) => {
          totals.set(id, (totals.get(id) ?? 0) + weight * raw[n]!);
          weights.set(id, (weights.get(id) ?? 0) + weight);
        });
      }
      // A reader with no history has no taste to predict yet: popularity is the answer, not a fallback.
      if (!anyTaste) return this.fallbacks.popularityPredictions(bookIds, "COLD_START");
      const used = picked.filter(({ model }) => bookIds.some((id) => model.itemIndex.has(id)));
      const algorithm = used.length === 1 ? used[0]!.model.name : `blend(${used.map(({ model }) => model.name).join("+")})`;
      const modelVersion = used.length === 1 ? used[0]!.model.version : null;
      const predictions = new Map<number, Prediction>(
        [...totals].map(([id, total]) => [id, { score: clamp01(total / weights.get(id)!), source: "MODEL", algorithm, modelVersion }]),
      );
      const unknown = bookIds.filter((id) => !predictions.has(id));
      if (unknown.length > 0) for (const [id, prediction] of await this.fallbacks.popularityPredictions(unknown)) predictions.set(id, prediction);
      return predictions;
    } finally {
      releaseAll(leased);
    }
  }

  private async readerList({ model, weight }: WeightedModel, userId: number, history: ReaderHistory, k: number): Promise<Component | undefined> {
    if (model.has("user-top-k") && model.state.factors) {
      const vector = await this.vectors.vectorOf(model, userId, history);
      if (!vector) return undefined;
      const [list] = await this.batcher.run(model, vectorTopK(model), [{ vector, k }]);
      return { model, weight, scores: toIds(model, list!) };
    }
    const indexed = oldestFirst(model, history);
    if (indexed.length === 0) return undefined;
    const [list] = await this.batcher.run(model, historyTopK(model), [{ history: indexed, k }]);
    return { model, weight, scores: toIds(model, list!, model.has("item-neighbours") ? saturate : clamp01) };
  }

  /**
   * Low-confidence lists are blended with popularity; optional diversity re-ranking; cut
   * to length. Reasons are written for the listed books only: the candidates run to
   * hundreds (every model's neighbours), and their reasons were most of a list's garbage.
   */
  private async finish(
    leased: readonly LoadedModel[],
    components: Component[],
    candidates: Candidate[],
    diversify: boolean,
    reasonsOf: (bookId: number) => string[],
  ): Promise<ServedList> {
    const description = describe(leased, components);
    const head = candidates.slice(0, 10);
    const confidence = head.reduce((sum, item) => sum + item.score, 0) / Math.max(head.length, 1);
    let items = candidates;
    let source: Source = "MODEL";
    let algorithm = description.algorithm;
    if (confidence < LOW_CONFIDENCE) {
      const popularity = await this.fallbacks.popularity(candidates.map((item) => item.bookId));
      // The candidates are this request's own (from blend): re-scored in place, not copied.
      for (const item of candidates) item.score = clamp01(0.5 * item.score + 0.5 * (popularity.get(item.bookId) ?? 0));
      items = candidates.sort(byScore);
      source = "MODEL_BLENDED";
      algorithm = `${algorithm}+popularity`;
    }
    const embedded = embeddingModel(leased);
    if (diversify && embedded?.state.embeddings) {
      items = maximalMarginalRelevance(items, (item) => embedded.itemIndex.get(item.bookId), embedded.state.embeddings, LIST_LENGTH);
    }
    const listed: ServedItem[] = items.slice(0, LIST_LENGTH).map(({ bookId, score }) => ({ bookId, score, reasons: reasonsOf(bookId) }));
    return { ...description, algorithm, source, items: listed };
  }
}

/**
 * The non-empty answers of the models picked for `strategy` (modelsFor: the recipe's
 * weighted models, or a pinned version); when none has an answer, those of the
 * strategy's other models that can serve, weighed among themselves. The recipe's
 * weights are learned where every model answers: a model it leaves out still knows
 * books and readers the weighted ones have nothing for, and its answer beats a
 * model-free list.
 */
async function answering(
  strategy: Strategy,
  leased: readonly LoadedModel[],
  can: (model: LoadedModel) => boolean,
  pin: ModelPin | null,
  answer: (picked: WeightedModel[]) => Promise<(Component | undefined)[]>,
): Promise<Component[]> {
  const nonEmpty = (lists: (Component | undefined)[]) => lists.filter((c): c is Component => c !== undefined && c.scores.size > 0);
  const picked = modelsFor(strategy, leased, can, pin);
  const components = nonEmpty(await answer(picked));
  if (components.length > 0) return components;
  const tried = new Set(picked.map((entry) => entry.model));
  const others = modelsFor(strategy, leased.filter((model) => !tried.has(model)), can);
  return nonEmpty(await answer(others));
}

function releaseAll(leased: readonly LoadedModel[]): void {
  for (const model of leased) model.release();
}

/** The model whose item embeddings measure similarity for diversity and reasons (a content model), if served. */
function embeddingModel(leased: readonly LoadedModel[]): LoadedModel | undefined {
  return leased.find((model) => model.role === "content" && model.state.embeddings) ?? leased.find((model) => model.state.embeddings);
}

/** The reader's books known to the model, oldest first (the history graphs' convention; readHistory is newest first). */
function oldestFirst(model: LoadedModel, history: ReaderHistory): Int32Array {
  const indices: number[] = [];
  for (let e = history.length - 1; e >= 0; e--) {
    const index = model.itemIndex.get(history.bookIds[e]!);
    if (index !== undefined) indices.push(index);
  }
  return Int32Array.from(indices);
}

function toIds(model: LoadedModel, list: IndexedList, transform: (score: number) => number = clamp01): Map<number, number> {
  const scores = new Map<number, number>();
  list.items.forEach((index, n) => {
    const id = model.ids.items[index];
    if (id !== undefined) scores.set(id, transform(list.scores[n]!));
  });
  return scores;
}

/** Weighted sum of the components' confidences (weights renormalised over the components that answered); `exclude` left out. */
function blend(components: Component[], exclude: ReadonlySet<number>): Candidate[] {
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  const totals = new Map<number, number>();
  for (const component of components) {
    const weight = total > 0 ? component.weight / total : 1 / components.length;
    for (const [bookId, score] of component.scores) if (!exclude.has(bookId)) totals.set(bookId, (totals.get(bookId) ?? 0) + weight * score);
  }
  const candidates: Candidate[] = [];
  totals.forEach((score, bookId) => candidates.push({ bookId, score: clamp01(score) }));
  return candidates.sort(byScoreThenId);
}

function describe(leased: readonly LoadedModel[], components: Component[]): Pick<ServedList, "algorithm" | "modelName" | "modelVersion"> {
  if (components.length === 1) return { algorithm: components[0]!.model.name, modelName: components[0]!.model.name, modelVersion: components[0]!.model.version };
  const hybrid = recipeModel(leased);
  return {
    algorithm: `hybrid(${components.map((c) => c.model.name).join("+")})`,
    modelName: HYBRID,
    modelVersion: hybrid?.version ?? Math.max(...components.map((c) => c.model.version)),
  };
}
