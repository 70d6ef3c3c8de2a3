import { notFound } from "../../../lib/errors.ts";
import { readerCachePatterns } from "../../../lib/privacy/reader-cache.ts";
import { Topics } from "../../../lib/pubsub.ts";
import { purgeReaderEvents } from "../../../lib/stream/reader-purge.ts";
import type { UsersContext } from "../context.ts";
import { requireViewer } from "../viewer.ts";
import { eraseReader } from "./erase-account.ts";
import { exportReaderData } from "./export-data.ts";

/** The reader's rights over their data (GDPR articles 15, 17 and 20): a full copy, and erasure. */
export const privacyQueries = {
  exportMyData: async (_parent: unknown, _args: unknown, context: UsersContext) => {
    const { userId } = requireViewer(context);
    // One snapshot: a rating written while the export runs is either wholly in it or not at all.
    const document = await context.runtime.db.withConnection(async (connection) => {
      await connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      try {
        return await exportReaderData(connection, userId);
      } finally {
        await connection.exec("COMMIT").catch(() => {});
      }
    });
    if (document.profile === null) throw notFound("User", userId);
    context.logger.info({ userId }, "personal data exported");
    return document;
  },
};

export const privacyMutations = {
  deleteMyAccount: async (_parent: unknown, _args: unknown, context: UsersContext) => {
    const { userId } = requireViewer(context);
    const { runtime } = context;
    const summary = await runtime.db.withConnection((connection) =>
      eraseReader(connection, userId, { mode: runtime.config.ACCOUNT_DELETION_MODE, requestId: context.requestId }),
    );
    if (!summary) throw notFound("User", userId);
    // After the commit (no new event of theirs can be written): the durable stream drops their events,
    // delivered or pending, so no consumer acts on them (an embeddings update would fold their vector back in).
    const { removed: streamEntries } = await purgeReaderEvents(runtime.stream, userId, context.logger);
    // The cache and every process's memory (vectors, recent lists) forget the reader.
    for (const pattern of readerCachePatterns(userId)) await runtime.cache.deleteMatching(pattern);
    await runtime.pubsub.publish(Topics.USER_ERASED, { userId });
    context.logger.info({ userId, mode: summary.mode, removed: summary.removed, streamEntries, anonymised: summary.anonymised }, "account deleted");
    return true;
  },
};
