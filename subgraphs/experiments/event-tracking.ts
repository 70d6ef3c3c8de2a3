import type { PrismaClient } from "../../lib/db/database.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { badUserInput } from "../../lib/errors.ts";
import { parseId } from "../../lib/graphql/arguments.ts";

export const EVENT_TYPES = ["IMPRESSION", "CLICK", "ADD_TO_SHELF", "RATE", "PURCHASE"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The same event on the same book of the same list within this window counts once (double taps, retried batches). */
export const DEDUP_WINDOW_SECONDS = 300;
export const MAX_BATCH = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TrackEventInput {
  type: EventType;
  bookId: string;
  listId: string;
}

interface Exposure {
  list_id: string;
  experiment_id: number;
  variant_id: number;
  user_id: number;
  book_ids: number[];
}

/**
 * Records readers' events against the served list they happened on, so each is
 * attributed to the variant that produced the list (never to what a client
 * claims). Returns how many were counted.
 */
export async function trackEvents(prisma: PrismaClient, userId: number, inputs: readonly TrackEventInput[], field: (i: number) => string): Promise<number> {
  if (inputs.length > MAX_BATCH) throw badUserInput(`at most ${MAX_BATCH} events at once`, "inputs");
  const events = inputs.map((input, i) => {
    const listId = input.listId.trim().toLowerCase();
    if (!UUID.test(listId)) throw badUserInput(`${field(i)}.listId must be a list id from Recommendation.listId`, `${field(i)}.listId`);
    return { type: input.type, bookId: parseId(input.bookId, `${field(i)}.bookId`), listId, index: i };
  });
  if (events.length === 0) return 0;

  const bookIds = [...new Set(events.map((event) => event.bookId))];
  const known = new Set((await prisma.book.findMany({ where: { id: { in: bookIds } }, select: { id: true } })).map((book) => book.id));
  const unknown = events.find((event) => !known.has(event.bookId));
  if (unknown) throw badUserInput(`${field(unknown.index)}.bookId: no book ${unknown.bookId}`, `${field(unknown.index)}.bookId`);

  const listIds = [...new Set(events.map((event) => event.listId))];
  const exposures = new Map(
    (
      await prisma.$queryRaw<Exposure[]>`
        SELECT list_id::text AS list_id, experiment_id, variant_id, user_id, book_ids
        FROM experiment_exposures WHERE list_id = ANY(${listIds}::uuid[])`
    ).map((row) => [row.list_id, row]),
  );
  const rows: { experimentId: number; variantId: number; bookId: number; type: EventType; listId: string }[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const exposure = exposures.get(event.listId);
    // A list served outside any experiment: valid, but there is no variant to attribute to.
    if (!exposure) continue;
    if (exposure.user_id !== userId) throw badUserInput(`${field(event.index)}.listId was not served to you`, `${field(event.index)}.listId`);
    if (!exposure.book_ids.includes(event.bookId)) {
      throw badUserInput(`${field(event.index)}.bookId: book ${event.bookId} is not in list ${event.listId}`, `${field(event.index)}.bookId`);
    }
    const dedup = `${event.listId}:${event.bookId}:${event.type}`;
    if (seen.has(dedup)) continue;
    seen.add(dedup);
    rows.push({ experimentId: exposure.experiment_id, variantId: exposure.variant_id, bookId: event.bookId, type: event.type, listId: event.listId });
  }
  if (rows.length === 0) return 0;

  return inPrismaTransaction(prisma, async (tx) => {
    // Concurrent batches carrying the same event wait for each other, so the window check sees the first.
    for (const listId of [...new Set(rows.map((row) => row.listId))].sort()) {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${listId}))`;
    }
    // The events and the reader's counters (what results read) change in one statement.
    const [result] = await tx.$queryRaw<{ counted: bigint | number }[]>`
      WITH inserted AS (
        INSERT INTO experiment_events (experiment_id, variant_id, user_id, book_id, type, list_id)
        SELECT e.experiment_id, e.variant_id, ${userId}, e.book_id, e.type, e.list_id
        FROM unnest(${rows.map((row) => row.experimentId)}::int[], ${rows.map((row) => row.variantId)}::int[], ${rows.map((row) => row.bookId)}::int[],
                    ${rows.map((row) => row.type)}::text[], ${rows.map((row) => row.listId)}::uuid[])
          AS e(experiment_id, variant_id, book_id, type, list_id)
        WHERE NOT EXISTS (
          SELECT 1 FROM experiment_events x
          WHERE x.list_id = e.list_id AND x.book_id = e.book_id AND x.type = e.type
            AND x.occurred_at > now() - make_interval(secs => ${DEDUP_WINDOW_SECONDS}))
        RETURNING experiment_id, user_id, type
      ), counts AS (
        SELECT experiment_id, user_id,
               count(*) FILTER (WHERE type = 'IMPRESSION') AS impressions,
               count(*) FILTER (WHERE type = 'CLICK') AS clicks,
               count(*) FILTER (WHERE type = 'ADD_TO_SHELF') AS shelved,
               count(*) FILTER (WHERE type = 'RATE') AS rated,
               count(*) FILTER (WHERE type = 'PURCHASE') AS purchased
        FROM inserted GROUP BY experiment_id, user_id
      ), updated AS (
        UPDATE experiment_assignments a
        SET impressions = a.impressions + c.impressions, clicks = a.clicks + c.clicks, shelved = a.shelved + c.shelved,
            rated = a.rated + c.rated, purchased = a.purchased + c.purchased
        FROM counts c WHERE a.experiment_id = c.experiment_id AND a.user_id = c.user_id
        RETURNING 1
      )
      SELECT count(*) AS counted FROM inserted`;
    return Number(result?.counted ?? 0);
  });
}
