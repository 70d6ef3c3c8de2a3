import { Prisma, type PrismaClient } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { parseLimit } from "../../lib/graphql/arguments.ts";
import { decodeCursor, toConnection, type Connection } from "../../lib/graphql/cursor.ts";
import { MAX_PAGE_SIZE, type PageArgs } from "./paged-relation.ts";

export type FeedItemType = "RATING" | "REVIEW";

export interface FeedItem {
  type: FeedItemType;
  /** The rating's or the review's id. */
  id: number;
  userId: number;
  bookId: number;
  rating: number | null;
  reviewId: number | null;
  occurredAt: Date;
}

interface FeedPage {
  first: number;
  after: { time: Date; type: string; id: number } | null;
}

function parseFeedPage(args: PageArgs): FeedPage {
  const first = parseLimit(args.first, { field: "first", fallback: 20, max: MAX_PAGE_SIZE });
  if (args.after === null || args.after === undefined) return { first, after: null };
  const [time, type, id, ...rest] = decodeCursor(args.after);
  if (typeof time !== "number" || typeof type !== "string" || typeof id !== "number" || rest.length > 0) {
    throw badUserInput("after is not a valid cursor", "after");
  }
  return { first, after: { time: new Date(time), type, id } };
}

/**
 * Recent ratings and reviews by the people a user follows, newest first. A rating
 * given with a review appears once, as the review (which carries its stars).
 */
export async function loadFeed(prisma: PrismaClient, userId: number, args: PageArgs): Promise<Connection<FeedItem>> {
  const page = parseFeedPage(args);
  const afterPosition = page.after
    ? Prisma.sql`WHERE (items."occurredAt", items.type, items.id) < (${page.after.time}::timestamptz, ${page.after.type}, ${page.after.id}::int)`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<(FeedItem & { totalCount: number })[]>`
    WITH followed AS (
      SELECT followee_id AS user_id FROM follows WHERE follower_id = ${userId}
    ), items AS (
      SELECT 'RATING'::text AS type, r.id, r.user_id AS "userId", r.book_id AS "bookId", r.rating,
             NULL::int AS "reviewId", r.created_at AS "occurredAt"
        FROM ratings AS r JOIN followed AS f ON f.user_id = r.user_id
       WHERE r.scale > 0
         AND NOT EXISTS (SELECT 1 FROM reviews AS rv WHERE rv.user_id = r.user_id AND rv.book_id = r.book_id)
      UNION ALL
      SELECT 'REVIEW'::text, rv.id, rv.user_id, rv.book_id, rv.rating, rv.id, rv.created_at
        FROM reviews AS rv JOIN followed AS f ON f.user_id = rv.user_id
    )
    SELECT total.count AS "totalCount", page.*
      FROM (SELECT count(*)::int AS count FROM items) AS total
      LEFT JOIN LATERAL (
        SELECT * FROM items ${afterPosition}
         ORDER BY items."occurredAt" DESC, items.type DESC, items.id DESC
         LIMIT ${page.first + 1}::int
      ) AS page ON true`;
  const totalCount = rows[0]?.totalCount ?? 0;
  const items: FeedItem[] = rows
    .filter((row) => row.id !== null)
    .map(({ totalCount: _totalCount, ...item }) => item);
  return toConnection(items, page.first, totalCount, (item) => [item.occurredAt.getTime(), item.type, item.id]);
}
