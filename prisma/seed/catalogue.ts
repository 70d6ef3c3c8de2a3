import { isbn13ToIsbn10 } from "../../lib/isbn.ts";
import { AliasTable } from "./alias-table.ts";
import { allocateBooksToAuthors, authorCountFor, generateAuthorNames } from "./authors.ts";
import type { BookAuthorTable, BookTable, GenreRecord, NamedRecord } from "./dataset.ts";
import { generateDescription } from "./descriptions.ts";
import { GENRE_DEFINITIONS, genreIndex, type GenreFamily } from "./genres.ts";
import { IsbnAllocator } from "./isbn-allocator.ts";
import { generatePublishers, publisherCountFor } from "./publishers.ts";
import type { Random } from "./random.ts";
import type { TextContext } from "./text-context.ts";
import { generateSeriesName, generateTitle, seriesTitle } from "./titles.ts";

export const COVER_BASE_URL = "https://covers.shelfgraph.example";
export const NEWEST_PUBLICATION_YEAR = 2025;
export const OLDEST_PUBLICATION_YEAR = 1850;

export interface GeneratedCatalogue {
  readonly genres: GenreRecord[];
  readonly publishers: NamedRecord[];
  readonly authors: NamedRecord[];
  /** The books before any rating exists: their aggregates are filled in from the ratings later. */
  readonly books: Omit<BookTable, "averageRating" | "ratingsCount">;
  readonly bookAuthors: BookAuthorTable;
  /** Genre ids of each book (index = book id - 1), main genre first. */
  readonly genreIdsByBook: number[][];
}

interface Series {
  readonly name: string;
  readonly genreIds: number[];
  readonly publisherIndex: number;
  readonly language: string;
  readonly firstYear: number;
}

interface BookPlan {
  readonly author: number;
  readonly series: number;
  readonly volume: number;
}

const GENRE_COUNT_WEIGHTS = [0.2, 0.35, 0.3, 0.15];
const LANGUAGES = ["eng", "spa", "fre", "ger", "ita", "por", "jpn", "swe", "dut", "rus"];
const LANGUAGE_WEIGHTS = [88, 3, 2, 2, 1, 1, 1, 0.7, 0.7, 0.6];

/** Books, authors, publishers and genres: everything about the catalogue that does not depend on readers. */
export function generateCatalogue(context: TextContext, structure: Random, bookCount: number): GeneratedCatalogue {
  const genres: GenreRecord[] = GENRE_DEFINITIONS.map((genre, index) => ({ id: index + 1, name: genre.name, slug: genre.slug, family: genre.family }));
  const genreByShare = new AliasTable(GENRE_DEFINITIONS.map((genre) => genre.share));
  const isbns = new IsbnAllocator(structure);

  const publisherPlan = generatePublishers(context, publisherCountFor(bookCount), isbns);
  const publisherBySize = new AliasTable(publisherPlan.weights);
  const publishers = publisherPlan.names.map((name, index) => ({ id: index + 1, name }));

  const authorCount = authorCountFor(bookCount);
  const authorNames = generateAuthorNames(context, authorCount);
  const authors = authorNames.names.map((name, index) => ({ id: index + 1, name }));
  const booksPerAuthor = allocateBooksToAuthors(structure, bookCount, authorCount);

  // Authors write mostly in one genre and stay with one house, which gives content
  // models (same author, same genre) something true to find.
  const homeGenre = Int32Array.from({ length: authorCount }, () => genreByShare.sample(structure));
  const housePublisher = Int32Array.from({ length: authorCount }, () => publisherBySize.sample(structure));

  const mainGenreFor = (author: number): number => {
    const home = homeGenre[author]!;
    const draw = structure.next();
    if (draw < 0.7) return home;
    if (draw < 0.85) return genreIndex(structure.pick(GENRE_DEFINITIONS[home]!.related));
    return genreByShare.sample(structure);
  };
  const genreListFor = (main: number): number[] => {
    const wanted = 1 + structure.weightedIndex(GENRE_COUNT_WEIGHTS);
    const list = [main];
    for (let attempt = 0; list.length < wanted && attempt < 20; attempt++) {
      const candidate = structure.chance(0.8) ? genreIndex(structure.pick(GENRE_DEFINITIONS[main]!.related)) : genreByShare.sample(structure);
      if (!list.includes(candidate)) list.push(candidate);
    }
    return list;
  };
  const publisherFor = (author: number): number => (structure.chance(0.6) ? housePublisher[author]! : publisherBySize.sample(structure));
  const languageFor = (): string => LANGUAGES[structure.weightedIndex(LANGUAGE_WEIGHTS)]!;

  const series: Series[] = [];
  const plans: BookPlan[] = [];
  for (let author = 0; author < authorCount; author++) {
    let remaining = booksPerAuthor[author]!;
    while (remaining >= 2 && GENRE_DEFINITIONS[homeGenre[author]!]!.family !== "nonfiction" && structure.chance(0.35)) {
      const length = Math.min(remaining, structure.intBetween(2, 7));
      const genreIds = genreListFor(homeGenre[author]!);
      const family = GENRE_DEFINITIONS[genreIds[0]!]!.family;
      const span = (length - 1) * 2;
      series.push({
        name: generateSeriesName(context, family),
        genreIds,
        publisherIndex: housePublisher[author]!,
        language: languageFor(),
        firstYear: Math.min(publicationYearFor(structure, genreIds[0]!), NEWEST_PUBLICATION_YEAR - span),
      });
      for (let volume = 1; volume <= length; volume++) plans.push({ author, series: series.length - 1, volume });
      remaining -= length;
    }
    for (; remaining > 0; remaining--) plans.push({ author, series: -1, volume: 0 });
  }
  // Book ids should not cluster by author or series.
  structure.shuffleInPlace(plans);

  const books = {
    count: bookCount,
    title: [] as string[],
    subtitle: [] as (string | null)[],
    description: [] as string[],
    isbn13: [] as string[],
    isbn10: [] as (string | null)[],
    language: [] as string[],
    coverUrl: [] as string[],
    publicationYear: new Int16Array(bookCount),
    publisherId: new Int32Array(bookCount),
  };
  const genreIdsByBook: number[][] = [];
  const authorRows: { bookId: number; authorId: number; position: number }[] = [];

  plans.forEach((plan, index) => {
    const bookId = index + 1;
    const inSeries = plan.series >= 0 ? series[plan.series]! : undefined;
    const genreList = inSeries ? inSeries.genreIds : genreListFor(mainGenreFor(plan.author));
    const family: GenreFamily = GENRE_DEFINITIONS[genreList[0]!]!.family;
    const publisherIndex = inSeries ? inSeries.publisherIndex : publisherFor(plan.author);
    const authorName = authorNames.names[plan.author]!;

    const generated = generateTitle(context, family, GENRE_DEFINITIONS[genreList[0]!]!.slug);
    books.title.push(inSeries ? seriesTitle(generated.title, inSeries.name, plan.volume) : generated.title);
    books.subtitle.push(inSeries ? null : generated.subtitle);
    books.description.push(generateDescription(context, family, generated.title, authorName));
    const isbn13 = isbns.allocate(publisherPlan.isbnPrefixes[publisherIndex]!);
    books.isbn13.push(isbn13);
    books.isbn10.push(isbn13ToIsbn10(isbn13));
    books.coverUrl.push(`${COVER_BASE_URL}/${isbn13}.jpg`);
    books.language.push(inSeries ? inSeries.language : languageFor());
    books.publicationYear[index] = inSeries
      ? Math.min(NEWEST_PUBLICATION_YEAR, inSeries.firstYear + (plan.volume - 1) * 2)
      : publicationYearFor(structure, genreList[0]!);
    books.publisherId[index] = publisherIndex + 1;
    genreIdsByBook.push(genreList.map((genre) => genre + 1));

    authorRows.push({ bookId, authorId: plan.author + 1, position: 0 });
    if (authorCount > 1 && structure.chance(0.07)) {
      let coAuthor = structure.int(authorCount - 1);
      if (coAuthor >= plan.author) coAuthor += 1;
      authorRows.push({ bookId, authorId: coAuthor + 1, position: 1 });
    }
  });

  return {
    genres,
    publishers,
    authors,
    books,
    bookAuthors: {
      bookId: Int32Array.from(authorRows, (row) => row.bookId),
      authorId: Int32Array.from(authorRows, (row) => row.authorId),
      position: Int16Array.from(authorRows, (row) => row.position),
    },
    genreIdsByBook,
  };
}

/** Skewed recent like any living catalogue; classics come from the long nineteenth and early twentieth century. */
function publicationYearFor(random: Random, mainGenre: number): number {
  if (GENRE_DEFINITIONS[mainGenre]!.slug === "classics") return OLDEST_PUBLICATION_YEAR + Math.floor(110 * Math.pow(random.next(), 1.2));
  if (random.chance(0.04)) return random.intBetween(OLDEST_PUBLICATION_YEAR, NEWEST_PUBLICATION_YEAR);
  return Math.max(OLDEST_PUBLICATION_YEAR, NEWEST_PUBLICATION_YEAR - Math.floor(random.exponential(12)));
}
