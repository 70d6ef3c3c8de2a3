import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const BOOK_COLUMNS = [
  "book_id", "goodreads_book_id", "best_book_id", "work_id", "books_count", "isbn", "isbn13", "authors", "original_publication_year",
  "original_title", "title", "language_code", "average_rating", "ratings_count", "work_ratings_count", "work_text_reviews_count",
  "ratings_1", "ratings_2", "ratings_3", "ratings_4", "ratings_5", "image_url", "small_image_url",
];

/**
 * A Goodbooks-10k directory in the published layout, generated: `books` books by
 * a few authors and `ratings` ratings (user, book, 1-5) from a seeded generator,
 * so two calls with the same arguments write the same files.
 */
export async function writeGoodbooksFixture(directory: string, size: { books: number; readers: number; ratings: number; seed?: number }): Promise<void> {
  await mkdir(directory, { recursive: true });
  let state = size.seed ?? 11;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const books = [BOOK_COLUMNS.join(",")];
  for (let id = 1; id <= size.books; id++) {
    const values: Record<string, string> = {
      book_id: String(id),
      goodreads_book_id: String(100_000 + id),
      best_book_id: String(100_000 + id),
      work_id: String(200_000 + id),
      books_count: "3",
      isbn: "",
      isbn13: "",
      authors: `Author ${1 + (id % 17)}`,
      original_publication_year: String(1950 + (id % 70)) + ".0",
      original_title: `Book ${id}`,
      title: `Book ${id}`,
      language_code: "eng",
      average_rating: "4.0",
      ratings_count: "100",
      work_ratings_count: "100",
      work_text_reviews_count: "5",
      ratings_1: "1", ratings_2: "2", ratings_3: "3", ratings_4: "4", ratings_5: "5",
      image_url: "", small_image_url: "",
    };
    books.push(BOOK_COLUMNS.map((column) => values[column]!).join(","));
  }
  const ratings = ["user_id,book_id,rating"];
  const seen = new Set<string>();
  while (ratings.length - 1 < size.ratings) {
    const user = 1 + Math.floor(random() * size.readers);
    // Skewed towards low ids, like real popularity.
    const book = 1 + Math.floor(random() ** 2 * size.books);
    const key = `${user}:${book}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ratings.push(`${user},${book},${1 + Math.floor(random() * 5)}`);
  }
  await writeFile(join(directory, "books.csv"), books.join("\n") + "\n");
  await writeFile(join(directory, "ratings.csv"), ratings.join("\n") + "\n");
}
