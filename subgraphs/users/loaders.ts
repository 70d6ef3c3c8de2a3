import DataLoader from "dataloader";
import type {
  Bookmark,
  Follow,
  PrismaClient,
  Rating,
  ReadingEntry,
  Review,
  User,
  UserAuthorPreference,
  UserGenrePreference,
} from "../../lib/db/database.ts";
import { pagedRelationLoader } from "./paged-relation.ts";
import { RELATIONS } from "./relations.ts";

/** Per-request batching: every relation of every parent in a response costs one statement per kind and page. */
export function createUserLoaders(prisma: PrismaClient) {
  return {
    userById: byId<User>((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
    reviewById: byId<Review>((ids) => prisma.review.findMany({ where: { id: { in: ids } } })),
    genrePreferencesByUserId: new DataLoader<number, UserGenrePreference[]>(async (userIds) =>
      groupByUser(userIds, await prisma.userGenrePreference.findMany({
        where: { userId: { in: [...userIds] } },
        orderBy: [{ weight: "desc" }, { genreId: "asc" }],
      })),
    ),
    authorPreferencesByUserId: new DataLoader<number, UserAuthorPreference[]>(async (userIds) =>
      groupByUser(userIds, await prisma.userAuthorPreference.findMany({
        where: { userId: { in: [...userIds] } },
        orderBy: [{ weight: "desc" }, { authorId: "asc" }],
      })),
    ),
    reviewsOfBook: pagedRelationLoader<Review>(prisma, RELATIONS.reviewsOfBook, 10),
    reviewsByUser: pagedRelationLoader<Review>(prisma, RELATIONS.reviewsByUser),
    ratingsByUser: pagedRelationLoader<Rating>(prisma, RELATIONS.ratingsByUser),
    readingHistoryOfUser: pagedRelationLoader<ReadingEntry>(prisma, RELATIONS.readingHistoryOfUser),
    shelfOfUser: pagedRelationLoader<Bookmark>(prisma, RELATIONS.shelfOfUser),
    followersOfUser: pagedRelationLoader<Follow>(prisma, RELATIONS.followersOfUser),
    followedByUser: pagedRelationLoader<Follow>(prisma, RELATIONS.followedByUser),
  };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;

function byId<Row extends { id: number }>(fetch: (ids: number[]) => Promise<Row[]>): DataLoader<number, Row | null> {
  return new DataLoader(async (ids) => {
    const byKey = new Map((await fetch([...ids])).map((row) => [row.id, row]));
    return ids.map((id) => byKey.get(id) ?? null);
  });
}

function groupByUser<Row extends { userId: number }>(userIds: readonly number[], rows: Row[]): Row[][] {
  const groups = new Map<number, Row[]>(userIds.map((id) => [id, []]));
  for (const row of rows) groups.get(row.userId)?.push(row);
  return userIds.map((id) => groups.get(id) ?? []);
}
