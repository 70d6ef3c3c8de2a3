import type { RelationSpec } from "./paged-relation.ts";

const REVIEW_COLUMNS = `x.id, x.user_id AS "userId", x.book_id AS "bookId", x.text, x.rating,
  x.created_at AS "createdAt", x.updated_at AS "updatedAt"`;
const FOLLOW_COLUMNS = `x.follower_id AS "followerId", x.followee_id AS "followeeId", x.created_at AS "createdAt"`;

/** The paged one-to-many relations of the users subgraph, each backed by a (parent, time) index. */
export const RELATIONS = {
  reviewsOfBook: { table: "reviews", parentColumn: "book_id", columns: REVIEW_COLUMNS, timeColumn: "created_at", idColumn: "id" },
  reviewsByUser: { table: "reviews", parentColumn: "user_id", columns: REVIEW_COLUMNS, timeColumn: "created_at", idColumn: "id" },
  ratingsByUser: {
    table: "ratings",
    parentColumn: "user_id",
    columns: `x.id, x.user_id AS "userId", x.book_id AS "bookId", x.rating, x.scale,
      x.created_at AS "createdAt", x.updated_at AS "updatedAt"`,
    timeColumn: "created_at",
    idColumn: "id",
  },
  readingHistoryOfUser: {
    table: "reading_history",
    parentColumn: "user_id",
    columns: `x.id, x.user_id AS "userId", x.book_id AS "bookId", x.status::text AS status,
      x.started_at AS "startedAt", x.finished_at AS "finishedAt"`,
    timeColumn: "started_at",
    idColumn: "id",
  },
  shelfOfUser: {
    table: "bookmarks",
    parentColumn: "user_id",
    columns: `x.user_id AS "userId", x.book_id AS "bookId", x.created_at AS "createdAt"`,
    timeColumn: "created_at",
    idColumn: "book_id",
  },
  followersOfUser: { table: "follows", parentColumn: "followee_id", columns: FOLLOW_COLUMNS, timeColumn: "created_at", idColumn: "follower_id" },
  followedByUser: { table: "follows", parentColumn: "follower_id", columns: FOLLOW_COLUMNS, timeColumn: "created_at", idColumn: "followee_id" },
} satisfies Record<string, RelationSpec>;
