import { interactionStrength, ratingStrength } from "../../lib/models/signal-strength.ts";
import { INTERACTION_TYPES, type WritableDemoDataset } from "../../prisma/seed/dataset.ts";
import type { Dataset, ItemFeatures } from "../data/dataset.ts";
import { RawEventCollector } from "../data/raw-events.ts";
import type { ExtractionSummary } from "./database.ts";

/** The seeder writes every rating on the star scale (the column's default). */
const DEMO_RATING_SCALE = 5;

/**
 * The training dataset `extractFromDatabase` reads back once the seeder has written
 * `data`, built from the generated tables in memory instead: a fresh install's first
 * training can then run while the same rows are still being written. Signals are
 * added in the extraction's order (ratings, interactions, reading history by id,
 * bookmarks by reader and book), so user indexes and rows come out the same.
 */
export function datasetFromDemoData(data: WritableDemoDataset): { dataset: Dataset; summary: ExtractionSummary } {
  const collector = new RawEventCollector();
  let newestSignal = 0;
  const add = (user: number, book: number, strength: number, time: number) => {
    collector.add(user, book, strength, time);
    if (time > newestSignal) newestSignal = time;
  };
  const { ratings, interactions, readingHistory, bookmarks } = data;
  for (let row = 0; row < ratings.count; row++) {
    add(ratings.userId[row]!, ratings.bookId[row]!, ratingStrength(ratings.rating[row]!, DEMO_RATING_SCALE), ratings.createdAt[row]!);
  }
  for (let row = 0; row < interactions.count; row++) {
    const value = interactions.value[row]!;
    add(interactions.userId[row]!, interactions.bookId[row]!, interactionStrength(INTERACTION_TYPES[interactions.type[row]!]!, Number.isNaN(value) ? null : value), interactions.occurredAt[row]!);
  }
  // A reading entry counts as finishing when FINISHED (status 1), otherwise as starting: as the extraction weighs it.
  for (let row = 0; row < readingHistory.userId.length; row++) {
    add(readingHistory.userId[row]!, readingHistory.bookId[row]!, interactionStrength(readingHistory.status[row] === 1 ? "FINISH_READING" : "START_READING", null), readingHistory.startedAt[row]!);
  }
  const shelved = Array.from(bookmarks.userId, (_, row) => row).sort((a, b) => bookmarks.userId[a]! - bookmarks.userId[b]! || bookmarks.bookId[a]! - bookmarks.bookId[b]!);
  for (const row of shelved) add(bookmarks.userId[row]!, bookmarks.bookId[row]!, interactionStrength("SHELVE", null), bookmarks.createdAt[row]!);

  const catalogue = Array.from({ length: data.books.count }, (_, i) => i + 1);
  const features = catalogueFeatures(data);
  const dataset = collector.build({ catalogue, features });
  return {
    dataset,
    summary: { ratings: ratings.count, interactions: interactions.count, bookmarks: shelved.length, readingEntries: readingHistory.userId.length, books: catalogue.length, newestSignal },
  };
}

/** Each book's metadata as the extraction's catalogue query returns it: authors by position, genres strongest first (ties by id). */
function catalogueFeatures(data: WritableDemoDataset): Map<number, ItemFeatures> {
  const { books, bookAuthors, bookGenres } = data;
  const authorsOf = Array.from({ length: books.count }, () => [] as { name: string; position: number }[]);
  for (let row = 0; row < bookAuthors.bookId.length; row++) {
    authorsOf[bookAuthors.bookId[row]! - 1]!.push({ name: data.authors[bookAuthors.authorId[row]! - 1]!.name, position: bookAuthors.position[row]! });
  }
  const genresOf = Array.from({ length: books.count }, () => [] as { id: number; name: string; weight: number }[]);
  for (let row = 0; row < bookGenres.bookId.length; row++) {
    const id = bookGenres.genreId[row]!;
    genresOf[bookGenres.bookId[row]! - 1]!.push({ id, name: data.genres[id - 1]!.name, weight: bookGenres.weight[row]! });
  }
  const features = new Map<number, ItemFeatures>();
  for (let book = 0; book < books.count; book++) {
    const subtitle = books.subtitle[book];
    features.set(book + 1, {
      title: subtitle ? `${books.title[book]!} ${subtitle}` : books.title[book]!,
      description: books.description[book] ?? "",
      authors: authorsOf[book]!.sort((a, b) => a.position - b.position).map((a) => a.name),
      genres: genresOf[book]!.sort((a, b) => b.weight - a.weight || a.id - b.id).map((g) => g.name),
      year: books.publicationYear[book]!,
      language: books.language[book] ?? null,
    });
  }
  return features;
}
