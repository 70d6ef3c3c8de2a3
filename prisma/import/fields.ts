/**
 * Parsing of single CSV fields into typed values. Each returns either the value,
 * `null` for an absent field, or a `Problem` saying why the field cannot be used,
 * so the reader decides whether that costs the field or the row.
 */
export interface Problem {
  readonly problem: string;
}

export const isProblem = (value: unknown): value is Problem => typeof value === "object" && value !== null && "problem" in value;

/** Trimmed text, null when blank. */
export function text(raw: string | undefined): string | null {
  const value = raw?.trim() ?? "";
  return value === "" ? null : value;
}

/** Years a book can have been published in: after year 0 and no later than next year's catalogue. */
export const MIN_PUBLICATION_YEAR = 1;
export const maxPublicationYear = () => new Date().getUTCFullYear() + 1;

/**
 * A year written as an integer or as a float with a zero fraction ("2008.0", as
 * pandas exports). `zeroMeansUnknown` for datasets that write 0 for "no year".
 */
export function publicationYear(raw: string | undefined, zeroMeansUnknown = false): number | null | Problem {
  const value = text(raw);
  if (value === null) return null;
  if (!/^-?\d+(\.0*)?$/.test(value)) return { problem: "not a year" };
  const year = Number.parseInt(value, 10);
  if (year === 0 && zeroMeansUnknown) return null;
  if (year < MIN_PUBLICATION_YEAR || year > maxPublicationYear()) return { problem: `impossible publication year (allowed ${MIN_PUBLICATION_YEAR} to ${maxPublicationYear()})` };
  return year;
}

/** An integer id as datasets write them ("42", sometimes "42.0"); null when it is not one. */
export function integerId(raw: string | undefined): number | null {
  const value = text(raw);
  if (value === null || !/^\d+(\.0*)?$/.test(value)) return null;
  const id = Number.parseInt(value, 10);
  return Number.isSafeInteger(id) ? id : null;
}

/** A whole-number rating from `min` to `max`. */
export function ratingValue(raw: string | undefined, min: number, max: number): number | Problem {
  const value = text(raw);
  if (value === null) return { problem: "missing rating" };
  if (!/^-?\d+(\.0*)?$/.test(value)) return { problem: "rating is not a whole number" };
  const rating = Number.parseInt(value, 10);
  if (rating < min || rating > max) return { problem: `rating out of range (allowed ${min} to ${max})` };
  return rating;
}

/** A non-negative count (tag counts); negative or fractional counts are problems. */
export function count(raw: string | undefined): number | null | Problem {
  const value = text(raw);
  if (value === null) return null;
  if (!/^\d+(\.0*)?$/.test(value)) return { problem: "not a non-negative whole number" };
  const parsed = Number.parseInt(value, 10);
  return parsed <= 2_147_483_647 ? parsed : { problem: "count too large" };
}

/** An http(s) URL, null when absent. */
export function httpUrl(raw: string | undefined): string | null | Problem {
  const value = text(raw);
  if (value === null) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? value : { problem: "not an http(s) URL" };
  } catch {
    return { problem: "not a URL" };
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">", nbsp: " " };

/** Text some datasets store HTML-escaped ("Pride &amp; Prejudice"), unescaped. */
export function decodeHtmlEntities(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith("#x") || body.startsWith("#X")) return safeCodePoint(Number.parseInt(body.slice(2), 16)) ?? entity;
    if (body.startsWith("#")) return safeCodePoint(Number.parseInt(body.slice(1), 10)) ?? entity;
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

function safeCodePoint(code: number): string | null {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : null;
}
