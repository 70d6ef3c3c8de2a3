import type { Prisma } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import { parseLanguageCode } from "./validation.ts";

export interface BookFilterArgs {
  genre?: string | null;
  author?: string | null;
  yearFrom?: number | null;
  yearTo?: number | null;
  language?: string | null;
}

/** The catalogue filter as a Prisma where clause; contradictory or malformed bounds are BAD_USER_INPUT. */
export function bookFilterWhere(filter: BookFilterArgs | null | undefined): Prisma.BookWhereInput {
  if (!filter) return {};
  const where: Prisma.BookWhereInput[] = [];
  if (filter.genre != null) {
    const slug = filter.genre.trim().toLowerCase();
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) throw badUserInput("filter.genre must be a genre slug such as science-fiction", "filter.genre");
    where.push({ genres: { some: { genre: { slug } } } });
  }
  if (filter.author != null) {
    const authorId = parseId(filter.author, "filter.author");
    where.push({ authors: { some: { authorId } } });
  }
  const { yearFrom, yearTo } = filter;
  if (yearFrom != null && yearTo != null && yearFrom > yearTo) {
    throw badUserInput(`filter.yearFrom (${yearFrom}) must not be after filter.yearTo (${yearTo})`, "filter.yearFrom");
  }
  if (yearFrom != null || yearTo != null) {
    where.push({ publicationYear: { ...(yearFrom != null ? { gte: yearFrom } : {}), ...(yearTo != null ? { lte: yearTo } : {}) } });
  }
  if (filter.language != null) {
    const language = parseLanguageCode(filter.language, "filter.language");
    where.push({ language: { equals: language, mode: "insensitive" } });
  }
  return where.length === 0 ? {} : { AND: where };
}
