import { Prisma, type PrismaClient } from "../../lib/db/database.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { emptySums, type VariantSums } from "../../lib/experiments/statistics/variant-sums.ts";

export interface VariantCounts {
  sums: VariantSums;
  exposures: number;
  events: Map<string, number>;
}

interface SumsRow {
  variant_id: number;
  n: bigint | number;
  sum_y: number;
  sum_d: number;
  sum_b: number;
  sum_x: number;
  sum_yy: number;
  sum_dd: number;
  sum_yd: number;
  sum_xx: number;
  sum_yx: number;
  sum_dx: number;
  sum_bx: number;
  shelved: number;
  rated: number;
  purchased: number;
}

/**
 * Hash aggregation of a few hundred thousand readers needs more than PostgreSQL's
 * default 4 MB; with less it spills to disk and runs many times slower.
 */
const RESULTS_WORK_MEM = "64MB";

/**
 * The per-variant sufficient statistics of an experiment, from the per-reader
 * counters trackEvent keeps on each assignment: one row per reader, whatever the
 * number of events, so results stay fast at tens of millions of events. Readers
 * with no events count (as zeros): every assigned reader is in.
 */
export function variantCounts(prisma: PrismaClient, experimentId: number): Promise<Map<number, VariantCounts>> {
  return aggregate(prisma, experimentId, Prisma.sql`
    SELECT variant_id, clicks::float8 AS y, impressions::float8 AS d,
           CASE WHEN shelved + purchased > 0 THEN 1.0 ELSE 0.0 END::float8 AS b,
           shelved::float8 AS shelved, rated::float8 AS rated, purchased::float8 AS purchased, pre_period_activity AS x
    FROM experiment_assignments WHERE experiment_id = ${experimentId}`);
}

/**
 * The same numbers recomputed from the raw events (one pass: events -> readers ->
 * variants): the audit of the counters, and the bench's baseline.
 */
export function variantCountsFromEvents(prisma: PrismaClient, experimentId: number): Promise<Map<number, VariantCounts>> {
  return aggregate(prisma, experimentId, Prisma.sql`
    SELECT a.variant_id, coalesce(r.y, 0) AS y, coalesce(r.d, 0) AS d,
           CASE WHEN coalesce(r.shelved, 0) + coalesce(r.purchased, 0) > 0 THEN 1.0 ELSE 0.0 END::float8 AS b,
           coalesce(r.shelved, 0) AS shelved, coalesce(r.rated, 0) AS rated, coalesce(r.purchased, 0) AS purchased,
           a.pre_period_activity AS x
    FROM experiment_assignments a
    LEFT JOIN (
      SELECT user_id,
             count(*) FILTER (WHERE type = 'CLICK')::float8 AS y,
             count(*) FILTER (WHERE type = 'IMPRESSION')::float8 AS d,
             count(*) FILTER (WHERE type = 'ADD_TO_SHELF')::float8 AS shelved,
             count(*) FILTER (WHERE type = 'RATE')::float8 AS rated,
             count(*) FILTER (WHERE type = 'PURCHASE')::float8 AS purchased
      FROM experiment_events WHERE experiment_id = ${experimentId}
      GROUP BY user_id
    ) r ON r.user_id = a.user_id
    WHERE a.experiment_id = ${experimentId}`);
}

/** Per-variant sufficient statistics, event counts and exposures from per-reader rows (y clicks, d impressions, b converted, x covariate). */
async function aggregate(prisma: PrismaClient, experimentId: number, readers: Prisma.Sql): Promise<Map<number, VariantCounts>> {
  const [sums, exposures] = await inPrismaTransaction(prisma, async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL work_mem = '${RESULTS_WORK_MEM}'`);
    const sums = await tx.$queryRaw<SumsRow[]>`
      WITH readers AS (${readers})
      SELECT variant_id, count(*) AS n,
             sum(y) AS sum_y, sum(d) AS sum_d, sum(b) AS sum_b, sum(x) AS sum_x,
             sum(y * y) AS sum_yy, sum(d * d) AS sum_dd, sum(y * d) AS sum_yd, sum(x * x) AS sum_xx,
             sum(y * x) AS sum_yx, sum(d * x) AS sum_dx, sum(b * x) AS sum_bx,
             sum(shelved) AS shelved, sum(rated) AS rated, sum(purchased) AS purchased
      FROM readers GROUP BY variant_id`;
    const exposures = await tx.$queryRaw<{ variant_id: number; count: bigint | number }[]>`
      SELECT variant_id, count(*) AS count FROM experiment_exposures WHERE experiment_id = ${experimentId} GROUP BY variant_id`;
    return [sums, exposures] as const;
  });
  const result = new Map<number, VariantCounts>();
  const entry = (variantId: number) => {
    let counts = result.get(variantId);
    if (!counts) {
      counts = { sums: emptySums(), exposures: 0, events: new Map() };
      result.set(variantId, counts);
    }
    return counts;
  };
  for (const row of sums) {
    const counts = entry(row.variant_id);
    counts.sums = {
      n: Number(row.n),
      sumY: Number(row.sum_y),
      sumD: Number(row.sum_d),
      sumB: Number(row.sum_b),
      sumX: Number(row.sum_x),
      sumYY: Number(row.sum_yy),
      sumDD: Number(row.sum_dd),
      sumYD: Number(row.sum_yd),
      sumXX: Number(row.sum_xx),
      sumYX: Number(row.sum_yx),
      sumDX: Number(row.sum_dx),
      sumBX: Number(row.sum_bx),
    };
    counts.events.set("IMPRESSION", Number(row.sum_d));
    counts.events.set("CLICK", Number(row.sum_y));
    counts.events.set("ADD_TO_SHELF", Number(row.shelved));
    counts.events.set("RATE", Number(row.rated));
    counts.events.set("PURCHASE", Number(row.purchased));
  }
  for (const row of exposures) entry(row.variant_id).exposures = Number(row.count);
  return result;
}
