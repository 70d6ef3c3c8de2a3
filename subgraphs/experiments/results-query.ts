import type { PrismaClient } from "../../lib/db/database.ts";
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
}

/**
 * The per-variant sufficient statistics of an experiment, computed in the
 * database: events are reduced to one row per reader, readers to one row per
 * variant, so TypeScript receives a handful of numbers however many events there
 * are. Readers with no events count (as zeros): every assigned reader is in.
 */
export async function variantCounts(prisma: PrismaClient, experimentId: number): Promise<Map<number, VariantCounts>> {
  const [sums, events, exposures] = await Promise.all([
    prisma.$queryRaw<SumsRow[]>`
      WITH per_reader AS (
        SELECT user_id,
               count(*) FILTER (WHERE type = 'CLICK')::float8 AS y,
               count(*) FILTER (WHERE type = 'IMPRESSION')::float8 AS d,
               CASE WHEN bool_or(type IN ('ADD_TO_SHELF', 'PURCHASE')) THEN 1.0 ELSE 0.0 END::float8 AS b
        FROM experiment_events WHERE experiment_id = ${experimentId}
        GROUP BY user_id
      ), readers AS (
        SELECT a.variant_id, coalesce(r.y, 0) AS y, coalesce(r.d, 0) AS d, coalesce(r.b, 0) AS b, a.pre_period_activity AS x
        FROM experiment_assignments a LEFT JOIN per_reader r ON r.user_id = a.user_id
        WHERE a.experiment_id = ${experimentId}
      )
      SELECT variant_id, count(*) AS n,
             sum(y) AS sum_y, sum(d) AS sum_d, sum(b) AS sum_b, sum(x) AS sum_x,
             sum(y * y) AS sum_yy, sum(d * d) AS sum_dd, sum(y * d) AS sum_yd, sum(x * x) AS sum_xx,
             sum(y * x) AS sum_yx, sum(d * x) AS sum_dx, sum(b * x) AS sum_bx
      FROM readers GROUP BY variant_id`,
    prisma.$queryRaw<{ variant_id: number; type: string; count: bigint | number }[]>`
      SELECT variant_id, type, count(*) AS count FROM experiment_events WHERE experiment_id = ${experimentId} GROUP BY variant_id, type`,
    prisma.$queryRaw<{ variant_id: number; count: bigint | number }[]>`
      SELECT variant_id, count(*) AS count FROM experiment_exposures WHERE experiment_id = ${experimentId} GROUP BY variant_id`,
  ]);
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
    entry(row.variant_id).sums = {
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
  }
  for (const row of events) entry(row.variant_id).events.set(row.type, Number(row.count));
  for (const row of exposures) entry(row.variant_id).exposures = Number(row.count);
  return result;
}
