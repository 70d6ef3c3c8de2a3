import type { PrismaClient } from "../../../lib/db/database.ts";
import { booksForUser, popularBooksForUser, similarBooks, type ScoredBook } from "../co-occurrence.ts";
import { bookFacts, booksForStatedPreferences, booksSharingMetadata } from "./catalogue.ts";
import type { ModelStore } from "./model-store.ts";
import { clamp01, LIST_LENGTH, type Prediction, type ServedList, type Source } from "./served-list.ts";

/**
 * The lists served without a recommendation model: books read together
 * (CO_OCCURRENCE), books sharing authors or genres (METADATA), popularity
 * (POPULARITY), and readers' stated genres when they have no history yet
 * (COLD_START). They never fail for want of a model, so a broken model never fails
 * a request.
 */
export class FallbackLists {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelStore,
  ) {}

  /** Similar books when no model can say: co-readers, else shared metadata, else popularity. */
  async similar(bookId: number): Promise<ServedList> {
    const title = (await bookFacts(this.prisma, [bookId])).get(bookId)?.title ?? "this book";
    const neighbours = (await similarBooks(this.prisma, [bookId])).get(bookId) ?? [];
    if (neighbours.length > 0) return modelFree(neighbours, "CO_OCCURRENCE", "co-occurrence", [`Readers of ${title} also read this`]);
    // A book nobody has read together with anything yet (typically one newer than the models).
    const related = await booksSharingMetadata(this.prisma, bookId, LIST_LENGTH);
    if (related.length > 0) {
      return {
        items: related.map((book) => ({
          bookId: book.bookId,
          score: clamp01(book.score),
          reasons: book.sameAuthor ? [`Same author as ${title}`] : [`Also ${book.genre ?? "in the same genre"}, like ${title}`],
        })),
        source: "METADATA",
        algorithm: "shared-authors-genres",
        modelName: null,
        modelVersion: null,
      };
    }
    return this.popularityList(null);
  }

  /** A reader's list when no model can say: books their co-readers read, else popularity. */
  async forReader(userId: number, excludeRead: boolean): Promise<ServedList> {
    const personal = excludeRead ? await booksForUser(this.prisma, userId, LIST_LENGTH) : [];
    if (personal.length > 0) return modelFree(personal, "CO_OCCURRENCE", "co-occurrence", ["Readers with books in common with you read this"]);
    return this.popularityList(excludeRead ? userId : null);
  }

  /** A reader without any history: their stated genres plus popularity. */
  async coldStart(userId: number): Promise<ServedList> {
    const [preferred, popular] = await Promise.all([booksForStatedPreferences(this.prisma, userId, LIST_LENGTH), popularBooksForUser(this.prisma, userId, LIST_LENGTH)]);
    const scores = new Map<number, { score: number; reasons: string[] }>();
    for (const book of popular) scores.set(book.bookId, { score: 0.4 * book.score, reasons: ["Popular with readers"] });
    for (const book of preferred) {
      const existing = scores.get(book.bookId);
      scores.set(book.bookId, { score: 0.6 * book.score + (existing?.score ?? 0), reasons: [`Matches your interest in ${book.genre}`, ...(existing?.reasons ?? [])] });
    }
    const items = [...scores]
      .map(([bookId, entry]) => ({ bookId, score: clamp01(entry.score), reasons: entry.reasons }))
      .sort((a, b) => b.score - a.score || a.bookId - b.bookId)
      .slice(0, LIST_LENGTH);
    return { items, source: "COLD_START", algorithm: "stated-preferences+popularity", modelName: null, modelVersion: null };
  }

  /** Popularity of books, 0 to 1: the popularity model when loaded, else ratings counts. */
  async popularity(bookIds: readonly number[]): Promise<Map<number, number>> {
    const leased = this.models.leaseRole("popularity");
    try {
      const model = leased.find((candidate) => candidate.state.popularity);
      const scores = model?.state.popularity;
      if (model && scores) {
        const popularity = new Map<number, number>();
        for (const id of bookIds) popularity.set(id, clamp01(scores[model.itemIndex.get(id) ?? -1] ?? 0));
        return popularity;
      }
    } finally {
      for (const model of leased) model.release();
    }
    const rows = await this.prisma.book.findMany({ where: { id: { in: [...bookIds] } }, select: { id: true, ratingsCount: true } });
    const top = await this.prisma.book.aggregate({ _max: { ratingsCount: true } });
    const max = Math.max(top._max.ratingsCount ?? 1, 1);
    return new Map(rows.map((row) => [row.id, clamp01(row.ratingsCount / max)]));
  }

  /** Popularity as predictions, marked with the path that served them. */
  async popularityPredictions(bookIds: readonly number[], source: Source = "POPULARITY"): Promise<Map<number, Prediction>> {
    const scores = await this.popularity(bookIds);
    return new Map(bookIds.map((id) => [id, { score: scores.get(id) ?? 0, source, algorithm: "popularity", modelVersion: null }]));
  }

  /** The most popular books, less the reader's own when a reader is given. */
  async popularityList(userId: number | null): Promise<ServedList> {
    const popular = await popularBooksForUser(this.prisma, userId, LIST_LENGTH);
    return modelFree(popular, "POPULARITY", "popularity", ["Popular with readers"]);
  }
}

function modelFree(books: readonly ScoredBook[], source: Source, algorithm: string, reasons: string[]): ServedList {
  return { items: books.map((book) => ({ bookId: book.bookId, score: clamp01(book.score), reasons })), source, algorithm, modelName: null, modelVersion: null };
}
