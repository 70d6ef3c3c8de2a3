import { badUserInput } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import { isbn10ToIsbn13, isbn13ToIsbn10, requireIsbn10, requireIsbn13 } from "../../lib/isbn.ts";
import {
  coverUrl,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TITLE_LENGTH,
  optionalText,
  parseLanguageCode,
  publicationYear,
  requiredText,
} from "./validation.ts";

/** An author or genre named by a client: an existing row by id, or one found or created by name. */
export type Reference = { id: number } | { name: string };

export interface ReferenceArgs {
  id?: string | null;
  name?: string | null;
}

export interface BookInputArgs {
  title?: string | null;
  subtitle?: string | null;
  description?: string | null;
  isbn10?: string | null;
  isbn13?: string | null;
  language?: string | null;
  publicationYear?: number | null;
  publisher?: string | null;
  coverUrl?: string | null;
  authors?: ReferenceArgs[] | null;
  genres?: ReferenceArgs[] | null;
}

/** Validated, normalised changes to a book: a key is present only when the field is to be written. */
export interface BookChanges {
  title?: string;
  subtitle?: string | null;
  description?: string | null;
  isbns?: { isbn10: string | null; isbn13: string | null };
  language?: string | null;
  publicationYear?: number | null;
  publisher?: string | null;
  coverUrl?: string | null;
  authors?: Reference[];
  genres?: Reference[];
}

/** Checks every field of a create or update input, naming the first bad one (e.g. input.isbn13). */
export function parseBookInput(input: BookInputArgs, mode: "create" | "update"): BookChanges {
  const changes: BookChanges = {};
  const has = (key: keyof BookInputArgs) => Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;

  if (mode === "create" || has("title")) {
    if (input.title == null) throw badUserInput("input.title is required", "input.title");
    changes.title = requiredText(input.title, "input.title", MAX_TITLE_LENGTH);
  }
  if (has("subtitle")) changes.subtitle = optionalText(input.subtitle ?? null, "input.subtitle", MAX_TITLE_LENGTH);
  if (has("description")) changes.description = optionalText(input.description ?? null, "input.description", MAX_DESCRIPTION_LENGTH);
  if (has("isbn10") || has("isbn13")) changes.isbns = isbnPair(input.isbn10 ?? null, input.isbn13 ?? null);
  if (has("language")) changes.language = input.language == null ? null : parseLanguageCode(input.language, "input.language");
  if (has("publicationYear")) changes.publicationYear = publicationYear(input.publicationYear ?? null, "input.publicationYear");
  if (has("publisher")) changes.publisher = optionalText(input.publisher ?? null, "input.publisher", MAX_NAME_LENGTH);
  if (has("coverUrl")) changes.coverUrl = coverUrl(input.coverUrl ?? null, "input.coverUrl");
  if (has("authors")) changes.authors = references(input.authors ?? [], "input.authors");
  if (has("genres")) changes.genres = references(input.genres ?? [], "input.genres");
  return changes;
}

/** Both ISBN forms from whichever were given; two given must be the same book. */
function isbnPair(raw10: string | null, raw13: string | null): { isbn10: string | null; isbn13: string | null } {
  const isbn10 = raw10 === null || raw10.trim() === "" ? null : requireIsbn10(raw10, "input.isbn10");
  const isbn13 = raw13 === null || raw13.trim() === "" ? null : requireIsbn13(raw13, "input.isbn13");
  if (isbn10 !== null && isbn13 !== null) {
    if (isbn10ToIsbn13(isbn10) !== isbn13) {
      throw badUserInput(`input.isbn10 ${isbn10} and input.isbn13 ${isbn13} are not the same book`, "input.isbn10");
    }
    return { isbn10, isbn13 };
  }
  if (isbn10 !== null) return { isbn10, isbn13: isbn10ToIsbn13(isbn10) };
  if (isbn13 !== null) return { isbn10: isbn13ToIsbn10(isbn13), isbn13 };
  return { isbn10: null, isbn13: null };
}

/** More credits or tags than any real book has is a mistake (or abuse), not data. */
export const MAX_REFERENCES = 50;

function references(list: ReferenceArgs[], field: string): Reference[] {
  if (list.length > MAX_REFERENCES) throw badUserInput(`${field} may list at most ${MAX_REFERENCES} entries`, field);
  const seen = new Set<string>();
  const result: Reference[] = [];
  list.forEach((reference, index) => {
    const where = `${field}[${index}]`;
    const hasId = reference.id != null;
    const hasName = reference.name != null;
    if (hasId === hasName) throw badUserInput(`${where} must give exactly one of id or name`, where);
    const parsed: Reference = hasId
      ? { id: parseId(reference.id!, `${where}.id`) }
      : { name: requiredText(reference.name!, `${where}.name`, MAX_NAME_LENGTH).replace(/\s+/g, " ") };
    const key = "id" in parsed ? `id:${parsed.id}` : `name:${parsed.name.toLowerCase()}`;
    if (!seen.has(key)) result.push(parsed);
    seen.add(key);
  });
  return result;
}
