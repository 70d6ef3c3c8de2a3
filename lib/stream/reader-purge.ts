import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../logger.ts";
import type { DurableStream } from "./durable-stream.ts";

/** Waits between retries of a purge that failed (the stream's Redis unreachable): seconds, then minutes. */
const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

export interface ReaderPurge {
  /** Events removed by the first attempt, or null when it failed and retries go on in the background. */
  readonly removed: number | null;
  /** Settles when the purge is done (its count) or every retry failed (null). */
  readonly settled: Promise<number | null>;
}

/**
 * The stream side of an erasure, run after the database committed it: the account is
 * already gone, so a stream outage must not turn the answer into an error (the reader
 * could never retry: their account no longer exists). The first attempt is awaited;
 * if it fails, it is retried in the background and every failure is logged with the
 * reader's id, so an operator can finish it (`DurableStream.purgeReader`).
 */
export async function purgeReaderEvents(stream: DurableStream, userId: number, logger: Logger, retryDelaysMs: readonly number[] = RETRY_DELAYS_MS): Promise<ReaderPurge> {
  try {
    const removed = await stream.purgeReader(userId);
    return { removed, settled: Promise.resolve(removed) };
  } catch (error) {
    logger.error({ err: error, userId }, "could not purge an erased reader's stream events; retrying in the background");
    const settled = (async () => {
      for (const delay of retryDelaysMs) {
        await sleep(delay, undefined, { ref: false });
        try {
          const removed = await stream.purgeReader(userId);
          logger.info({ userId, removed }, "erased reader's stream events purged on retry");
          return removed;
        } catch (retryError) {
          logger.error({ err: retryError, userId }, "stream purge of an erased reader failed again");
        }
      }
      logger.error({ userId }, "gave up purging an erased reader's stream events: run DurableStream.purgeReader for them");
      return null;
    })();
    return { removed: null, settled };
  }
}
