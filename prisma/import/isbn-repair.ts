import { cleanIsbn, isbn10ToIsbn13, isbn13ToIsbn10, isValidIsbn10, isValidIsbn13 } from "../../lib/isbn.ts";
import { text } from "./fields.ts";

export interface RepairedIsbns {
  isbn10: string | null;
  isbn13: string | null;
  /** Fields present in the source that could not be used, with why. */
  dropped: { field: string; value: string; reason: string }[];
}

/**
 * Goodbooks wrote its ISBNs through a spreadsheet: ISBN-10s lost their leading
 * zeros ("439023483") and ISBN-13s became floats ("9.78043902348e+12", the last
 * digit gone). Leading zeros are restored when that yields a valid check digit;
 * the ISBN-13 is derived from a valid ISBN-10, kept only if its float still holds
 * all 13 digits, and otherwise dropped and reported rather than guessed.
 */
export function repairGoodbooksIsbns(isbnRaw: string | undefined, isbn13Raw: string | undefined): RepairedIsbns {
  const dropped: RepairedIsbns["dropped"] = [];
  const rawIsbn10 = text(isbnRaw);
  const rawIsbn13 = text(isbn13Raw);

  let isbn10: string | null = null;
  if (rawIsbn10 !== null) {
    isbn10 = restoreLeadingZeros(cleanIsbn(rawIsbn10));
    if (isbn10 === null) dropped.push({ field: "isbn", value: rawIsbn10, reason: "invalid ISBN-10: the check digit does not match" });
  }

  let isbn13: string | null = isbn10 === null ? null : isbn10ToIsbn13(isbn10);
  if (rawIsbn13 !== null) {
    const written = exactIsbn13(rawIsbn13);
    if (isbn13 === null) {
      if (written !== null && isValidIsbn13(written)) isbn13 = written;
      else dropped.push({ field: "isbn13", value: rawIsbn13, reason: written === null ? "invalid ISBN-13: float notation lost digits and no valid ISBN-10 to derive it from" : "invalid ISBN-13: the check digit does not match" });
    } else if (!sameIsbn13(isbn13, rawIsbn13, written)) {
      dropped.push({ field: "isbn13", value: rawIsbn13, reason: `invalid ISBN-13: disagrees with ISBN-10 ${isbn10}; ${isbn13} derived from it is kept` });
    }
  }
  // Both forms are stored when both exist (an ISBN-13 from the 979 range has no ISBN-10).
  return { isbn10: isbn13 === null ? null : isbn13ToIsbn10(isbn13), isbn13, dropped };
}

/** The ISBN-10 with its lost leading zeros put back, or null when no padding gives a valid one. */
function restoreLeadingZeros(isbn: string): string | null {
  if (!/^\d{1,9}[\dX]$/.test(isbn)) return null;
  const padded = isbn.padStart(10, "0");
  return isValidIsbn10(padded) ? padded : null;
}

/** The 13 digits a field really holds: plain digits as written, a float only when it is an exact integer. */
function exactIsbn13(raw: string): string | null {
  const clean = cleanIsbn(raw);
  if (/^\d{13}$/.test(clean)) return clean;
  if (!/^\d(\.\d+)?E\+?12$/.test(clean)) return null;
  // A float keeps every digit only if its mantissa spells all 13 of them.
  const mantissaDigits = clean.split("E")[0]!.replace(".", "");
  return mantissaDigits.length === 13 ? mantissaDigits : null;
}

/** Whether what the field holds agrees with the derived ISBN-13, as far as its digits go. */
function sameIsbn13(derived: string, raw: string, exact: string | null): boolean {
  if (exact !== null) return exact === derived;
  const clean = cleanIsbn(raw);
  const float = /^(\d)(?:\.(\d+))?E\+?12$/.exec(clean);
  if (!float) return false;
  const significantDigits = 1 + (float[2]?.length ?? 0);
  // The float rounded away its last digits: compare at the precision it kept.
  const precision = 10 ** (13 - significantDigits);
  return Math.abs(Number(derived) - Number(clean)) <= precision / 2;
}
