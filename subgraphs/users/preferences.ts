import type { UserAuthorPreference, UserGenrePreference } from "../../lib/db/database.ts";
import { badUserInput, notFound } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";
import type { UsersContext } from "./context.ts";
import { relearnPreferences } from "../../lib/preferences/learnt-preferences.ts";
import { lockUser } from "./row-locks.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { requireViewer } from "./viewer.ts";

export const MAX_STATED_PREFERENCES = 50;

export interface Preferences {
  genres: UserGenrePreference[];
  authors: UserAuthorPreference[];
}

function parseIds(values: readonly string[], field: string): number[] {
  if (values.length > MAX_STATED_PREFERENCES) throw badUserInput(`${field} may list at most ${MAX_STATED_PREFERENCES} ids`, field);
  return [...new Set(values.map((value) => parseId(value, field)))];
}

/**
 * A user's preferences, learning them first if they never were (users created by
 * the seed or an import rated books without going through rateBook). A user whose
 * ratings teach nothing is simply asked again next time; that costs a few
 * index lookups on a field only they and administrators can read.
 */
export async function loadPreferences(userId: number, context: UsersContext): Promise<Preferences> {
  const { loaders } = context;
  let [genres, authors] = await Promise.all([
    loaders.genrePreferencesByUserId.load(userId),
    loaders.authorPreferencesByUserId.load(userId),
  ]);
  const learnt = [...genres, ...authors].some((preference) => preference.origin === "LEARNT");
  if (!learnt) {
    await inPrismaTransaction(context.runtime.db.prisma, async (tx) => {
      await lockUser(tx, userId);
      await relearnPreferences(tx, userId);
    });
    loaders.genrePreferencesByUserId.clear(userId);
    loaders.authorPreferencesByUserId.clear(userId);
    [genres, authors] = await Promise.all([
      loaders.genrePreferencesByUserId.load(userId),
      loaders.authorPreferencesByUserId.load(userId),
    ]);
  }
  return { genres, authors };
}

export const preferenceMutations = {
  /** Replaces the stated preferences; learnt ones are recomputed around them. */
  async setPreferences(_parent: unknown, args: { genreIds: string[]; authorIds: string[] }, context: UsersContext): Promise<Preferences> {
    const genreIds = parseIds(args.genreIds, "genreIds");
    const authorIds = parseIds(args.authorIds, "authorIds");
    const userId = requireViewer(context).userId;
    await inPrismaTransaction(context.runtime.db.prisma, async (tx) => {
      await lockUser(tx, userId);
      const genres = await tx.genre.findMany({ where: { id: { in: genreIds } }, select: { id: true } });
      const authors = await tx.author.findMany({ where: { id: { in: authorIds } }, select: { id: true } });
      const missingGenre = genreIds.find((id) => !genres.some((genre) => genre.id === id));
      if (missingGenre !== undefined) throw notFound("Genre", missingGenre);
      const missingAuthor = authorIds.find((id) => !authors.some((author) => author.id === id));
      if (missingAuthor !== undefined) throw notFound("Author", missingAuthor);

      await tx.userGenrePreference.deleteMany({ where: { userId } });
      await tx.userAuthorPreference.deleteMany({ where: { userId } });
      await tx.userGenrePreference.createMany({ data: genreIds.map((genreId) => ({ userId, genreId, weight: 1, origin: "STATED" as const })) });
      await tx.userAuthorPreference.createMany({ data: authorIds.map((authorId) => ({ userId, authorId, weight: 1, origin: "STATED" as const })) });
      await relearnPreferences(tx, userId);
    });
    context.loaders.genrePreferencesByUserId.clear(userId);
    context.loaders.authorPreferencesByUserId.clear(userId);
    return loadPreferences(userId, context);
  },
};
