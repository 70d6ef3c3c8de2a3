import type { PrismaClient } from "../../../lib/db/database.ts";
import { MODEL_FILES } from "../../../lib/models/artifact-format.ts";
import type { ModelName } from "../../../lib/models/model-names.ts";
import { bookFacts } from "./catalogue.ts";
import { maximalMarginalRelevance } from "./diversify.ts";
import type { FallbackLists } from "./fallback-lists.ts";
import { alsPairScores, alsUserTopK, cfNeighbours, contentNeighbours, historyTopK, type IndexedList } from "./graphs.ts";
import type { LoadedModel } from "./loaded-model.ts";
import type { ModelStore } from "./model-store.ts";
import { personalReasons, similarReasons } from "./reasons.ts";
import { clamp01, LIST_LENGTH, type ServedItem, type ServedList, type Source, type Strategy } from "./served-list.ts";
import type { SharedBatcher } from "./shared-batcher.ts";
import { readHistory, type HistoryEntry } from "../../../lib/models/user-history.ts";
import type { UserVectors } from "./user-vectors.ts";

/** Under this mean confidence of the top 10, a model list is blended with popularity. */
const LOW_CONFIDENCE = 0.3;

interface Component {
  readonly model: LoadedModel;
  readonly scores: Map<number, number>;
}

type Leased = Map<ModelName, LoadedModel>;

/**
 * The lists and scores the production models give: item-CF and content neighbours
 * for similar books, ALS / item-CF / content history top-K for readers, blended with
 * the hybrid recipe's weights, and ALS pair scores. Every inference goes through the
 * shared batcher. `null` means no model could answer (the caller falls back).
 */
export class ModelLists {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelStore,
    private readonly batcher: SharedBatcher,
    private readonly vectors: UserVectors,
    private readonly fallbacks: FallbackLists,
  ) {}

  async similar(bookId: number, strategy: Strategy, diversify: boolean): Promise<ServedList | null> {
    const leased = this.lease(["item-cf", "content", "hybrid"]);
    try {
      const cf = strategy === "CONTENT" ? undefined : leased.get("item-cf");
      const content = strategy === "CF" ? undefined : leased.get("content");
      const [cfList, contentList] = await Promise.all([
        cf?.itemIndex.has(bookId) ? this.batcher.run(cf, cfNeighbours, [cf.itemIndex.get(bookId)!]).then(([list]) => toIds(cf, list!)) : undefined,
        content?.itemIndex.has(bookId)
          ? this.batcher.run(content, contentNeighbours, [{ item: content.itemIndex.get(bookId)!, k: LIST_LENGTH * 2 }]).then(([list]) => toIds(content, list!))
          : undefined,
      ]);
      const components: Component[] = [];
      // A book without co-readers yet (new, or never read together) gets content neighbours only.
      if (cf && cfList && cfList.size > 0) components.push({ model: cf, scores: cfList });
      if (content && contentList && contentList.size > 0) components.push({ model: content, scores: contentList });
      if (components.length === 0) return null;
      const blended = blend(leased, components, new Set([bookId]));
      const facts = await bookFacts(this.prisma, [bookId, ...blended.slice(0, LIST_LENGTH * 2).map((c) => c.bookId)]);
      const seed = facts.get(bookId);
      const items = blended.map((candidate) => ({
        bookId: candidate.bookId,
        score: candidate.score,
        reasons: similarReasons(seed, facts.get(candidate.bookId), cfList?.has(candidate.bookId) ?? false, contentList?.has(candidate.bookId) ?? false),
      }));
      return this.finish(leased, components, items, diversify, leased.get("content"));
    } finally {
      releaseAll(leased);
    }
  }

  /** A reader's list; a reader without history gets the cold-start list (not a fallback: there is no taste to model yet). */
  async forReader(userId: number, strategy: Strategy, excludeRead: boolean, diversify: boolean): Promise<ServedList | null> {
    const history = await readHistory(this.prisma, userId);
    if (history.length === 0) return this.fallbacks.coldStart(userId);
    const leased = this.lease(["als", "item-cf", "content", "hybrid"]);
    try {
      const als = strategy === "CONTENT" ? undefined : leased.get("als");
      const cf = strategy === "HYBRID" || (strategy === "CF" && !als) ? leased.get("item-cf") : undefined;
      const content = strategy === "CF" ? undefined : leased.get("content");
      const exclude = excludeRead ? new Set(history.map((entry) => entry.bookId)) : new Set<number>();
      const want = LIST_LENGTH * 2 + exclude.size;
      const [alsScores, cfScores, contentScores] = await Promise.all([
        als ? this.vectors.vectorOf(als, userId, history).then(async (vector) => (vector ? toIds(als, (await this.batcher.run(als, alsUserTopK, [{ vector, k: want }]))[0]!) : undefined)) : undefined,
        cf ? this.historyList(cf, MODEL_FILES["item-cf"].historyTopK, history, want, (sum) => 1 - Math.exp(-sum)) : undefined,
        content ? this.historyList(content, MODEL_FILES.content.historyTopK, history, want) : undefined,
      ]);
      const components: Component[] = [];
      if (als && alsScores && alsScores.size > 0) components.push({ model: als, scores: alsScores });
      if (cf && cfScores && cfScores.size > 0) components.push({ model: cf, scores: cfScores });
      if (content && contentScores && contentScores.size > 0) components.push({ model: content, scores: contentScores });
      if (components.length === 0) return null;
      const blended = blend(leased, components, exclude).slice(0, LIST_LENGTH * 2);
      const anchors = history.slice(0, 50);
      const facts = await bookFacts(this.prisma, [...anchors.map((entry) => entry.bookId), ...blended.map((c) => c.bookId)]);
      const contentState = leased.get("content");
      const indexedAnchors = anchors.map((entry) => ({ ...entry, index: contentState?.itemIndex.get(entry.bookId) }));
      const items = blended.map((candidate) => ({
        bookId: candidate.bookId,
        score: candidate.score,
        reasons: personalReasons(contentState?.itemIndex.get(candidate.bookId), facts.get(candidate.bookId), indexedAnchors, facts, contentState?.state.content),
      }));
      return this.finish(leased, components, items, diversify, contentState);
    } finally {
      releaseAll(leased);
    }
  }

  /** ALS-predicted preference of the reader for each book, 0 to 1 (popularity for books ALS does not know); null without ALS. */
  async scores(userId: number, bookIds: readonly number[]): Promise<Map<number, number> | null> {
    const als = this.models.lease("als");
    if (!als) return null;
    try {
      const vector = await this.vectors.vectorOf(als, userId);
      // A reader with no history has no taste to predict yet: popularity is the answer, not a fallback.
      if (!vector) return this.fallbacks.popularity(bookIds);
      const known = bookIds.filter((id) => als.itemIndex.has(id));
      const raw = await this.batcher.run(als, alsPairScores, known.map((id) => ({ vector, item: als.itemIndex.get(id)! })));
      const scores = new Map(known.map((id, n) => [id, clamp01(raw[n]!)]));
      const unknown = bookIds.filter((id) => !scores.has(id));
      if (unknown.length > 0) for (const [id, score] of await this.fallbacks.popularity(unknown)) scores.set(id, score);
      return scores;
    } finally {
      als.release();
    }
  }

  private lease(names: ModelName[]): Leased {
    const leased: Leased = new Map();
    for (const name of names) {
      const model = this.models.lease(name);
      if (model) leased.set(name, model);
    }
    return leased;
  }

  private async historyList(model: LoadedModel, file: string, history: readonly HistoryEntry[], k: number, transform?: (score: number) => number) {
    const indices = Int32Array.from(history.map((entry) => model.itemIndex.get(entry.bookId)).filter((index): index is number => index !== undefined));
    if (indices.length === 0) return undefined;
    const [list] = await this.batcher.run(model, historyTopK(file), [{ history: indices, k }]);
    return toIds(model, list!, transform);
  }

  /** Low-confidence lists are blended with popularity; optional diversity re-ranking; cut to length. */
  private async finish(leased: Leased, components: Component[], candidates: ServedItem[], diversify: boolean, content: LoadedModel | undefined): Promise<ServedList> {
    const description = describe(leased, components);
    const head = candidates.slice(0, 10);
    const confidence = head.reduce((sum, item) => sum + item.score, 0) / Math.max(head.length, 1);
    let items = candidates;
    let source: Source = "MODEL";
    let algorithm = description.algorithm;
    if (confidence < LOW_CONFIDENCE) {
      const popularity = await this.fallbacks.popularity(candidates.map((item) => item.bookId));
      items = candidates
        .map((item) => ({ ...item, score: clamp01(0.5 * item.score + 0.5 * (popularity.get(item.bookId) ?? 0)) }))
        .sort((a, b) => b.score - a.score);
      source = "MODEL_BLENDED";
      algorithm = `${algorithm}+popularity`;
    }
    if (diversify && content?.state.content) {
      items = maximalMarginalRelevance(items, (item) => content.itemIndex.get(item.bookId), content.state.content, LIST_LENGTH);
    }
    return { ...description, algorithm, source, items: items.slice(0, LIST_LENGTH) };
  }
}

function releaseAll(leased: Leased): void {
  for (const model of leased.values()) model.release();
}

function toIds(model: LoadedModel, list: IndexedList, transform: (score: number) => number = clamp01): Map<number, number> {
  const scores = new Map<number, number>();
  list.items.forEach((index, n) => {
    const id = model.ids.items[index];
    if (id !== undefined) scores.set(id, transform(list.scores[n]!));
  });
  return scores;
}

/** Component weights from the hybrid recipe, renormalised over the components present. */
function weights(leased: Leased, present: ModelName[]): Map<ModelName, number> {
  const recipe = leased.get("hybrid")?.state.recipe;
  const raw = present.map((name) => Math.max(recipe?.components.find((c) => c.model === name)?.weight ?? 1, 0));
  const total = raw.reduce((sum, w) => sum + w, 0);
  return new Map(present.map((name, i) => [name, total > 0 ? raw[i]! / total : 1 / present.length]));
}

/** Weighted sum of the components' confidences; each candidate sorted by the blend, `exclude` left out. */
function blend(leased: Leased, components: Component[], exclude: ReadonlySet<number>): { bookId: number; score: number }[] {
  const weightOf = weights(leased, components.map((c) => c.model.name));
  const totals = new Map<number, number>();
  for (const component of components) {
    const weight = weightOf.get(component.model.name)!;
    for (const [bookId, score] of component.scores) if (!exclude.has(bookId)) totals.set(bookId, (totals.get(bookId) ?? 0) + weight * score);
  }
  return [...totals].map(([bookId, score]) => ({ bookId, score: clamp01(score) })).sort((a, b) => b.score - a.score || a.bookId - b.bookId);
}

function describe(leased: Leased, components: Component[]): Pick<ServedList, "algorithm" | "modelName" | "modelVersion"> {
  if (components.length === 1) return { algorithm: components[0]!.model.name, modelName: components[0]!.model.name, modelVersion: components[0]!.model.version };
  const hybrid = leased.get("hybrid");
  return {
    algorithm: `hybrid(${components.map((c) => c.model.name).join("+")})`,
    modelName: "hybrid",
    modelVersion: hybrid?.version ?? Math.max(...components.map((c) => c.model.version)),
  };
}
