import DataLoader from "dataloader";
import { Prisma, type PrismaClient } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { parseLimit } from "../../lib/graphql/arguments.ts";
import { decodeCursor, toConnection, type Connection } from "../../lib/graphql/cursor.ts";

export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** One page request, checked: how many rows and where to start (newest first). */
export interface Page {
  first: number;
  after: { time: Date; id: number } | null;
}

export function parsePage(args: PageArgs, fallback = 20): Page {
  const first = parseLimit(args.first, { field: "first", fallback, max: MAX_PAGE_SIZE });
  if (args.after === null || args.after === undefined) return { first, after: null };
  const [time, id, ...rest] = decodeCursor(args.after);
  if (typeof time !== "number" || typeof id !== "number" || rest.length > 0 || !Number.isFinite(time)) {
    throw badUserInput("after is not a valid cursor", "after");
  }
  return { first, after: { time: new Date(time), id } };
}

/** Where a node sits in its newest-first order: the cursor position. */
export interface Sorted {
  sortTime: Date;
  sortId: number;
}

export const cursorPosition = (node: Sorted): [number, number] => [node.sortTime.getTime(), node.sortId];

/**
 * A one-to-many relation read newest first (by a timestamp, then a unique integer
 * tiebreaker). Names are SQL identifiers written in this code, never user input.
 */
export interface RelationSpec {
  table: string;
  parentColumn: string;
  /** Select list over the table aliased `x`, with the Prisma model's camelCase names. */
  columns: string;
  timeColumn: string;
  idColumn: string;
}

/**
 * Pages of a relation for many parents in ONE statement: each parent's page is an
 * index range scan in a LATERAL join (so the cost follows the page size, not how
 * many rows a parent has), and its total an index-only count.
 */
export async function fetchPages<Row>(
  prisma: PrismaClient,
  spec: RelationSpec,
  parentIds: readonly number[],
  page: Page,
): Promise<Connection<Row & Sorted>[]> {
  const table = Prisma.raw(spec.table);
  const parent = Prisma.raw(spec.parentColumn);
  const time = Prisma.raw(spec.timeColumn);
  const id = Prisma.raw(spec.idColumn);
  const afterPosition = page.after
    ? Prisma.sql`AND (x.${time}, x.${id}) < (${page.after.time}::timestamptz, ${page.after.id}::int)`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<({ parentKey: number; totalCount: number } & Row & Sorted)[]>`
    SELECT p.parent_key AS "parentKey", t.total AS "totalCount", r.*
      FROM unnest(${[...parentIds]}::int[]) AS p(parent_key)
     CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM ${table} WHERE ${parent} = p.parent_key) AS t
      LEFT JOIN LATERAL (
        SELECT ${Prisma.raw(spec.columns)}, x.${time} AS "sortTime", x.${id} AS "sortId"
          FROM ${table} AS x
         WHERE x.${parent} = p.parent_key ${afterPosition}
         ORDER BY x.${time} DESC, x.${id} DESC
         LIMIT ${page.first + 1}::int
      ) AS r ON true
     ORDER BY p.parent_key, r."sortTime" DESC, r."sortId" DESC`;

  const byParent = new Map<number, { nodes: (Row & Sorted)[]; totalCount: number }>();
  for (const row of rows) {
    const group = byParent.get(row.parentKey) ?? { nodes: [], totalCount: row.totalCount };
    const { parentKey: _parentKey, totalCount: _totalCount, ...node } = row;
    if (node.sortId !== null) group.nodes.push(node as unknown as Row & Sorted);
    byParent.set(row.parentKey, group);
  }
  return parentIds.map((parentId) => {
    const group = byParent.get(parentId) ?? { nodes: [], totalCount: 0 };
    return toConnection(group.nodes, page.first, group.totalCount, cursorPosition);
  });
}

/**
 * Per-request loader of a relation's pages: all parents asking for the same page
 * (same first/after) within one tick share one statement.
 */
export function pagedRelationLoader<Row>(prisma: PrismaClient, spec: RelationSpec, fallbackPageSize = 20) {
  const loaders = new Map<string, DataLoader<number, Connection<Row & Sorted>>>();
  return (parentId: number, args: PageArgs): Promise<Connection<Row & Sorted>> => {
    const page = parsePage(args, fallbackPageSize);
    const key = `${page.first}:${page.after ? cursorPosition({ sortTime: page.after.time, sortId: page.after.id }).join(":") : ""}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader((parentIds) => fetchPages<Row>(prisma, spec, parentIds, page));
      loaders.set(key, loader);
    }
    return loader.load(parentId);
  };
}
