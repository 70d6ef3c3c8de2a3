import type { Cache } from "../../../lib/cache.ts";
import type { PrismaClient } from "../../../lib/db/database.ts";

export const DEFAULT_VARIANT = "default";
const VARIANT_TTL_SECONDS = 60;

/**
 * The reader's arms in running experiments ("experiment=variant,..."): part of
 * every cache key and log row, so variants never share cached lists and the A/B
 * analysis can split the logs.
 */
export class ReaderVariants {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
  ) {}

  of(userId: number): Promise<string> {
    const load = async () => {
      const rows = await this.prisma.$queryRaw<{ experiment: string; variant: string }[]>`
        SELECT e.key AS experiment, v.key AS variant
        FROM experiment_assignments a
        JOIN experiments e ON e.id = a.experiment_id
        JOIN experiment_variants v ON v.id = a.variant_id
        WHERE a.user_id = ${userId} AND e.status = 'RUNNING'
        ORDER BY e.key`;
      return rows.length === 0 ? DEFAULT_VARIANT : rows.map((row) => `${row.experiment}=${row.variant}`).join(",");
    };
    return this.cache.getOrSet(`rec:variant:${userId}`, load, VARIANT_TTL_SECONDS);
  }
}
