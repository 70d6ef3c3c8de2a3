import { createHash } from "node:crypto";
import { Prisma, type PrismaClient } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { decodeCursor } from "../../lib/graphql/cursor.ts";

export const MAX_QUERY_LENGTH = 200;

export interface SearchHitRow {
  id: number;
  score: number;
  total: number;
  title_highlight: string;
  snippet_highlight: string | null;
}

export interface SearchPage {
  /** The query as searched (trimmed, whitespace collapsed): what the page's cursors belong to. */
  query: string;
  rows: SearchHitRow[];
  totalCount: number;
}

/** Trimmed query text; empty, whitespace-only or overlong queries are BAD_USER_INPUT. */
export function parseSearchQuery(raw: string): string {
  const query = raw.trim().replace(/\s+/g, " ");
  if (query.length === 0) throw badUserInput("query must not be empty", "query");
  if (query.length > MAX_QUERY_LENGTH) throw badUserInput(`query must be at most ${MAX_QUERY_LENGTH} characters`, "query");
  return query;
}

/** Cursors of one query are meaningless for another, so they carry a short hash of it. */
function queryTag(query: string): string {
  return `search:${createHash("sha256").update(query.toLowerCase()).digest("base64url").slice(0, 10)}`;
}

export function searchPosition(query: string, hit: { score: number; id: number }): (string | number)[] {
  return [queryTag(query), hit.score, hit.id];
}

function parseSearchCursor(query: string, cursor: string): { score: number; id: number } {
  const [tag, score, id, ...rest] = decodeCursor(cursor);
  if (tag !== queryTag(query) || typeof score !== "number" || typeof id !== "number" || rest.length > 0) {
    throw badUserInput("after is not a cursor of this search", "after");
  }
  return { score, id };
}

// Markers ts_headline puts around matches; the text is HTML-escaped before they become <mark> tags.
const START = "\u27e6";
const STOP = "\u27e7";
const HEADLINE_TITLE = `StartSel=${START}, StopSel=${STOP}, HighlightAll=true`;
const HEADLINE_SNIPPET = `StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * One page of search hits, best first. The database function search_book_candidates
 * (migration 20261130010000_books_search) finds the candidates and their signals; the
 * blend below turns them into one score in [0, 1]:
 *  - 0.30 when the document contains every query term (a full-text match, stemmed),
 *  - 0.15 full-text cover-density rank over the weighted document (title A, authors B, genres C, description D),
 *  - 0.15 how closely the query words match words of the title (trigram word similarity, tolerates typos),
 *  - 0.20 how close the whole title is to the whole query (an exact title scores 1),
 *  - 0.15 how closely the query words match an author's name,
 *  - 0.05 popularity, log of the ratings count (a million ratings or more score 1).
 * The match bonus keeps a book that has every word (say in its tags) above one that
 * only resembles part of the query; among typo matches the similarities decide, and
 * popularity only settles near-ties (the novel over its box set).
 * Scores are rounded to 6 places so keyset cursors compare exactly.
 */
export async function searchBooks(prisma: PrismaClient, rawQuery: string, first: number, after: string | null): Promise<SearchPage> {
  const query = parseSearchQuery(rawQuery);
  const position = after ? parseSearchCursor(query, after) : null;
  const rows = await prisma.$queryRaw<SearchHitRow[]>(searchPageSql(query, first, position));
  const totalCount = rows[0]?.total ?? (position ? await countMatches(prisma, query) : 0);
  return { query, rows, totalCount };
}

/** The statement behind one page of hits (exported for EXPLAIN in benchmarks). */
export function searchPageSql(query: string, first: number, position: { score: number; id: number } | null): Prisma.Sql {
  return Prisma.sql`
    WITH scored AS (
      SELECT c.book_id AS id,
             round((0.30 * c.text_match::int + 0.15 * c.text_rank + 0.15 * c.title_similarity
                    + 0.20 * c.whole_title_similarity + 0.15 * c.author_similarity
                    + 0.05 * least(1, ln(1 + c.ratings_count) / ln(1 + 1e6)))::numeric, 6)::float8 AS score
        FROM search_book_candidates(${query}) c
    ), counted AS (
      SELECT id, score, count(*) OVER () AS total FROM scored
    ), page AS (
      SELECT id, score, total FROM counted
       WHERE ${position?.score ?? null}::float8 IS NULL
          OR score < ${position?.score ?? null}::float8
          OR (score = ${position?.score ?? null}::float8 AND id > ${position?.id ?? null}::int)
       ORDER BY score DESC, id ASC
       LIMIT ${first + 1}
    ), marks AS (
      -- What to mark: the query's own terms, plus the words of the page's titles that a
      -- misspelt query word is close to ("poter" marks "Potter"), once for the whole page.
      SELECT websearch_to_tsquery('english', ${query})
             || coalesce((SELECT to_tsquery('english', string_agg(DISTINCT word, ' | '))
                            FROM page
                            JOIN books b ON b.id = page.id
                           CROSS JOIN LATERAL unnest(regexp_split_to_array(lower(b.title), '[^[:alnum:]]+')) AS word
                           WHERE length(word) >= 3
                             AND EXISTS (SELECT 1 FROM unnest(regexp_split_to_array(lower(${query}), '[^[:alnum:]]+')) AS typed
                                          WHERE length(typed) >= 3 AND similarity(typed, word) >= 0.4)),
                         ''::tsquery) AS query
    )
    SELECT page.id, page.score, page.total::int AS total,
           ts_headline('english', b.title, marks.query, ${HEADLINE_TITLE}) AS title_highlight,
           CASE WHEN b.description IS NULL THEN NULL
                ELSE ts_headline('english', left(b.description, 2000), marks.query, ${HEADLINE_SNIPPET}) END AS snippet_highlight
      FROM page
      JOIN books b ON b.id = page.id
     CROSS JOIN marks
     ORDER BY page.score DESC, page.id ASC`;
}

/** Only needed when a cursor points past the last hit and the page came back empty. */
async function countMatches(prisma: PrismaClient, query: string): Promise<number> {
  const [row] = await prisma.$queryRaw<{ total: number }[]>(Prisma.sql`SELECT count(*)::int AS total FROM search_book_candidates(${query})`);
  return row?.total ?? 0;
}

/** HTML-escapes a headline and turns its match markers into <mark> tags. */
export function renderHighlight(headline: string): string {
  return headline
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll(START, "<mark>")
    .replaceAll(STOP, "</mark>");
}
