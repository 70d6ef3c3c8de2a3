import type { ItemFeatures } from "../data/dataset.ts";
import { csvRecords } from "./text-records.ts";

/**
 * Book metadata from a CSV with a header: an id column (item_id or book_id) and any
 * of title, description, authors, genres/tags, year, language. Goodbooks-10k's
 * books.csv reads as is (original_publication_year, language_code).
 */
export async function readItemFeaturesCsv(file: string): Promise<Map<number, ItemFeatures>> {
  const rows = csvRecords(file);
  const header = await rows.next();
  if (header.done) throw new Error(`${file}: empty file`);
  const names = header.value.fields.map((h) => h.trim().toLowerCase());
  const column = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const id = column("item_id", "book_id", "id");
  if (id < 0) throw new Error(`${file}: needs an item_id or book_id column`);
  const title = column("title", "original_title");
  const description = column("description");
  const authors = column("authors", "author");
  const genres = column("genres", "tags", "genre");
  const year = column("year", "original_publication_year", "publication_year");
  const language = column("language", "language_code");
  const text = (fields: string[], at: number) => (at >= 0 ? (fields[at] ?? "").trim() : "");
  const list = (value: string) => value.split(/[|;,]/).map((s) => s.trim()).filter(Boolean);
  const features = new Map<number, ItemFeatures>();
  for await (const { fields } of rows) {
    const itemId = Number(fields[id]);
    if (!Number.isInteger(itemId)) continue;
    const yearValue = Number.parseInt(text(fields, year), 10);
    features.set(itemId, {
      title: text(fields, title),
      description: text(fields, description),
      authors: list(text(fields, authors)),
      genres: list(text(fields, genres)),
      year: Number.isFinite(yearValue) ? yearValue : null,
      language: text(fields, language) || null,
    });
  }
  return features;
}
