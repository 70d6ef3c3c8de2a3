import { badUserInput } from "../../lib/errors.ts";

/** Field-level checks for catalogue input; every failure is BAD_USER_INPUT naming the field. */

export const MAX_TITLE_LENGTH = 500;
export const MAX_DESCRIPTION_LENGTH = 20_000;
export const MAX_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2_000;
export const MIN_PUBLICATION_YEAR = 1000;

/** ISO 639-1/639-2 code with optional subtags, as the datasets write them: en, eng, en-US, zh-Hant. */
const LANGUAGE_CODE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

export function parseLanguageCode(raw: string, field: string): string {
  const code = raw.trim();
  if (!LANGUAGE_CODE.test(code)) throw badUserInput(`${field} must be a language code such as en, eng or en-US`, field);
  // Primary subtag lower case, region upper case (en-US), the way BCP 47 writes them.
  const [primary, ...subtags] = code.split("-");
  return [primary!.toLowerCase(), ...subtags.map((tag) => (tag.length === 2 ? tag.toUpperCase() : tag))].join("-");
}

export function requiredText(raw: string, field: string, maxLength: number): string {
  const text = raw.trim();
  if (text.length === 0) throw badUserInput(`${field} must not be empty`, field);
  if (text.length > maxLength) throw badUserInput(`${field} must be at most ${maxLength} characters`, field);
  return text;
}

/** Empty text clears an optional field, like null does. */
export function optionalText(raw: string | null, field: string, maxLength: number): string | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (text.length > maxLength) throw badUserInput(`${field} must be at most ${maxLength} characters`, field);
  return text.length === 0 ? null : text;
}

export function publicationYear(year: number | null, field: string, now = new Date()): number | null {
  if (year === null) return null;
  const latest = now.getUTCFullYear() + 1;
  if (!Number.isInteger(year) || year < MIN_PUBLICATION_YEAR || year > latest) {
    throw badUserInput(`${field} must be a year between ${MIN_PUBLICATION_YEAR} and ${latest}`, field);
  }
  return year;
}

export function coverUrl(raw: string | null, field: string): string | null {
  const text = optionalText(raw, field, MAX_URL_LENGTH);
  if (text === null) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUserInput(`${field} must be an absolute http(s) URL`, field);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badUserInput(`${field} must be an absolute http(s) URL`, field);
  return url.toString();
}

/** URL-safe genre slug: "Science Fiction" → science-fiction, "Children's" → childrens. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
