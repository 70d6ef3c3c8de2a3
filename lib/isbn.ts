import { badUserInput } from "./errors.ts";

/**
 * ISBNs as ISO 2108 defines them: ISBN-13 (mod-10, weights 1 and 3) and the
 * older ISBN-10 (mod-11, check digit X for 10). Books are stored with both
 * forms when both exist, so a lookup by either finds the same row.
 */

/** Strips the separators people type (hyphens, spaces) and uppercases the ISBN-10 check digit X. */
export function cleanIsbn(raw: string): string {
  return raw.replace(/[\s\-\u2010-\u2015]/g, "").toUpperCase();
}

export function isbn13CheckDigit(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw new RangeError(`expected 12 digits, got ${JSON.stringify(first12)}`);
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return String((10 - (sum % 10)) % 10);
}

export function isbn10CheckDigit(first9: string): string {
  if (!/^\d{9}$/.test(first9)) throw new RangeError(`expected 9 digits, got ${JSON.stringify(first9)}`);
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(first9[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? "X" : String(check);
}

/** A clean ISBN-13: 978 or 979 prefix (the only Bookland prefixes) and a correct check digit. */
export function isValidIsbn13(isbn: string): boolean {
  return /^97[89]\d{10}$/.test(isbn) && isbn13CheckDigit(isbn.slice(0, 12)) === isbn[12];
}

/** A clean ISBN-10: nine digits and a correct check digit (0-9 or X). */
export function isValidIsbn10(isbn: string): boolean {
  return /^\d{9}[\dX]$/.test(isbn) && isbn10CheckDigit(isbn.slice(0, 9)) === isbn[9];
}

/** Every ISBN-10 has a 978-prefixed ISBN-13 twin. */
export function isbn10ToIsbn13(isbn10: string): string {
  if (!isValidIsbn10(isbn10)) throw new RangeError(`not a valid ISBN-10: ${JSON.stringify(isbn10)}`);
  const first12 = `978${isbn10.slice(0, 9)}`;
  return first12 + isbn13CheckDigit(first12);
}

/** Only 978-prefixed ISBN-13s have an ISBN-10 twin; 979 ones return null. */
export function isbn13ToIsbn10(isbn13: string): string | null {
  if (!isValidIsbn13(isbn13) || !isbn13.startsWith("978")) return null;
  const core = isbn13.slice(3, 12);
  return core + isbn10CheckDigit(core);
}

export interface NormalizedIsbn {
  isbn13: string;
  /** null for 979-prefixed books, which have no ISBN-10. */
  isbn10: string | null;
}

/** Either form, with or without separators, to both forms; null when it is not a valid ISBN. */
export function normalizeIsbn(raw: string): NormalizedIsbn | null {
  const isbn = cleanIsbn(raw);
  if (isValidIsbn13(isbn)) return { isbn13: isbn, isbn10: isbn13ToIsbn10(isbn) };
  if (isValidIsbn10(isbn)) return { isbn13: isbn10ToIsbn13(isbn), isbn10: isbn };
  return null;
}

/** Why `raw` is not an ISBN of the expected kind, worded for the person who typed it. */
function problemWith(raw: string, kind: "ISBN-10" | "ISBN-13" | "ISBN"): string {
  const isbn = cleanIsbn(raw);
  const length = kind === "ISBN-10" ? [10] : kind === "ISBN-13" ? [13] : [10, 13];
  if (!length.includes(isbn.length)) return `must have ${length.join(" or ")} digits, got ${isbn.length}`;
  if (isbn.length === 13 && !/^97[89]/.test(isbn)) return "an ISBN-13 starts with 978 or 979";
  if (isbn.length === 13 && !/^\d{13}$/.test(isbn)) return "an ISBN-13 has digits only";
  if (isbn.length === 10 && !/^\d{9}[\dX]$/.test(isbn)) return "an ISBN-10 has nine digits and a check digit 0-9 or X";
  return "the check digit is wrong";
}

/** An ISBN-10 or ISBN-13 from user input, as both forms; BAD_USER_INPUT naming `field` otherwise. */
export function requireIsbn(raw: string, field: string): NormalizedIsbn {
  const normalized = normalizeIsbn(raw);
  if (!normalized) throw badUserInput(`${field} is not a valid ISBN: ${problemWith(raw, "ISBN")}`, field);
  return normalized;
}

/** A field that must hold an ISBN-10 specifically (separators allowed). */
export function requireIsbn10(raw: string, field: string): string {
  const isbn = cleanIsbn(raw);
  if (!isValidIsbn10(isbn)) throw badUserInput(`${field} is not a valid ISBN-10: ${problemWith(raw, "ISBN-10")}`, field);
  return isbn;
}

/** A field that must hold an ISBN-13 specifically (separators allowed). */
export function requireIsbn13(raw: string, field: string): string {
  const isbn = cleanIsbn(raw);
  if (!isValidIsbn13(isbn)) throw badUserInput(`${field} is not a valid ISBN-13: ${problemWith(raw, "ISBN-13")}`, field);
  return isbn;
}
