import type { Cache } from "../cache.ts";
import type { PrismaClient } from "../db/database.ts";
import { inHoldout, inTraffic, variantIndex } from "./assignment-rules.ts";
import { isRecommendationStrategy, type ExperimentSurface, type RecommendationStrategy } from "./strategies.ts";
import { matchesTargeting, storedTargeting, type ReaderProfile, type Targeting } from "./targeting.ts";

/** The variant a reader is served on a surface: what the recommendations subgraph needs to serve and stamp a list. */
export interface ServingVariant {
  experimentId: number;
  experimentKey: string;
  variantId: number;
  variantKey: string;
  strategy: RecommendationStrategy | null;
  modelVersion: number | null;
}

interface RunningVariant {
  id: number;
  key: string;
  weight: number;
  strategy: RecommendationStrategy | null;
  modelVersion: number | null;
}

interface RunningExperiment {
  id: number;
  key: string;
  layer: string | null;
  trafficPercent: number;
  targeting: Targeting | null;
  variants: RunningVariant[];
}

/** Running experiments change rarely; status changes delete the entry, the TTL covers other writers. */
const RUNNING_TTL_SECONDS = 10;
/** A persisted assignment never changes while the experiment lives. */
const ASSIGNED_TTL_SECONDS = 3600;
/** "Not in this experiment" may change when traffic grows: remembered briefly. */
const NOT_ASSIGNED_TTL_SECONDS = 10;
/** The window of activity before assignment that CUPED uses as the covariate. */
const PRE_PERIOD_DAYS = 28;

const runningKey = (surface: ExperimentSurface) => `exp:running:${surface}`;
const assignmentKey = (experimentId: number, userId: number) => `exp:assignment:${experimentId}:${userId}`;

/** The cache entries to drop when an experiment's status, traffic or variants change. */
export const runningExperimentsCacheKeys = (): string[] => [runningKey("USER_RECOMMENDATIONS"), runningKey("SIMILAR_BOOKS")];

/**
 * Which variant serves a reader, owned by the experiments code and used by the
 * recommendations subgraph. Assignment happens on first exposure and is persisted
 * (sticky: later traffic or weight changes never move an exposed reader); a
 * reader in the global holdout, outside the targeting or the traffic share, or
 * already in another experiment of the same layer is served the default.
 */
export class ExperimentVariants {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
    private readonly holdoutPercent: number,
  ) {}

  /** The reader's variant among the experiments running on the surface, assigning them on first exposure; null: the default. */
  async forReader(surface: ExperimentSurface, userId: number): Promise<ServingVariant | null> {
    const experiments = await this.running(surface);
    if (experiments.length === 0) return null;
    let profile: Promise<ReaderProfile | null> | undefined;
    for (const experiment of experiments) {
      const known = await this.cache.get<{ variantId: number | null; trafficPercent: number }>(assignmentKey(experiment.id, userId));
      let variantId = known?.variantId;
      // "Not in it" holds only for the traffic share it was decided at: growth admits new readers at once.
      if (known === undefined || (known.variantId === null && known.trafficPercent !== experiment.trafficPercent)) {
        variantId = await this.persistedVariant(experiment.id, userId);
        if (variantId === null && !inHoldout(userId, this.holdoutPercent) && inTraffic(experiment.key, userId, experiment.trafficPercent)) {
          profile ??= this.profile(userId);
          const reader = await profile;
          if (reader && experiment.targeting && matchesTargeting(experiment.targeting, reader, new Date())) {
            const chosen = experiment.variants[variantIndex(experiment.key, userId, experiment.variants.map((variant) => variant.weight))]!;
            variantId = await this.assign(experiment, chosen.id, userId);
          }
        }
        await this.cache.set(assignmentKey(experiment.id, userId), { variantId, trafficPercent: experiment.trafficPercent }, variantId === null ? NOT_ASSIGNED_TTL_SECONDS : ASSIGNED_TTL_SECONDS);
      }
      const variant = experiment.variants.find((candidate) => candidate.id === variantId);
      if (variant) {
        return {
          experimentId: experiment.id,
          experimentKey: experiment.key,
          variantId: variant.id,
          variantKey: variant.key,
          strategy: variant.strategy,
          modelVersion: variant.modelVersion,
        };
      }
    }
    return null;
  }

  /** The model versions the running experiments' variants pin, with the strategy that says which model: what serving keeps loaded. */
  async pinnedVersions(): Promise<{ strategy: RecommendationStrategy; modelVersion: number }[]> {
    const running = [...(await this.running("USER_RECOMMENDATIONS")), ...(await this.running("SIMILAR_BOOKS"))];
    return running.flatMap((experiment) =>
      experiment.variants.flatMap((variant) => (variant.strategy && variant.modelVersion !== null ? [{ strategy: variant.strategy, modelVersion: variant.modelVersion }] : [])),
    );
  }

  /** Logs that a list was served to a reader by a variant: what events attribute to. Awaited, so an immediate click finds it. */
  async recordExposure(exposure: { listId: string; variant: ServingVariant; userId: number; bookIds: readonly number[] }): Promise<void> {
    await this.prisma.experimentExposure.create({
      data: {
        listId: exposure.listId,
        experimentId: exposure.variant.experimentId,
        variantId: exposure.variant.variantId,
        userId: exposure.userId,
        bookIds: [...exposure.bookIds],
      },
    });
  }

  /** Running experiments on a surface, oldest first: a reader already in one keeps it. */
  private running(surface: ExperimentSurface): Promise<RunningExperiment[]> {
    return this.cache.getOrSet(
      runningKey(surface),
      async () => {
        const rows = await this.prisma.experiment.findMany({
          where: { surface, status: "RUNNING" },
          orderBy: [{ startedAt: "asc" }, { id: "asc" }],
          include: { variants: { orderBy: { id: "asc" } } },
        });
        return rows
          .filter((row) => row.variants.length > 0)
          .map((row) => ({
            id: row.id,
            key: row.key,
            layer: row.layer,
            trafficPercent: row.trafficPercent,
            targeting: storedTargeting(row.targeting),
            variants: row.variants.map((variant) => ({
              id: variant.id,
              key: variant.key,
              weight: variant.weight,
              strategy: isRecommendationStrategy(variant.strategy) ? variant.strategy : null,
              modelVersion: variant.modelVersion,
            })),
          }));
      },
      RUNNING_TTL_SECONDS,
    );
  }

  private async persistedVariant(experimentId: number, userId: number): Promise<number | null> {
    const row = await this.prisma.experimentAssignment.findUnique({
      where: { experimentId_userId: { experimentId, userId } },
      select: { variantId: true },
    });
    return row?.variantId ?? null;
  }

  private async profile(userId: number): Promise<ReaderProfile | null> {
    return this.prisma.user.findUnique({ where: { id: userId }, select: { segment: true, country: true, registeredAt: true } });
  }

  /**
   * Persists the first exposure, with the reader's pre-period activity. One
   * statement, so two concurrent first requests agree (the unique key keeps the
   * first) and a reader already in another experiment of the same layer is not taken.
   */
  private async assign(experiment: RunningExperiment, variantId: number, userId: number): Promise<number | null> {
    const layerClause = experiment.layer;
    await this.prisma.$executeRaw`
      INSERT INTO experiment_assignments (experiment_id, variant_id, user_id, pre_period_activity)
      SELECT ${experiment.id}, ${variantId}, ${userId},
        (SELECT count(*) FROM interactions i
           WHERE i.user_id = ${userId} AND i.occurred_at >= now() - make_interval(days => ${PRE_PERIOD_DAYS}))
        + (SELECT count(*) FROM ratings r
           WHERE r.user_id = ${userId} AND r.created_at >= now() - make_interval(days => ${PRE_PERIOD_DAYS}))
      WHERE ${layerClause}::text IS NULL OR NOT EXISTS (
        SELECT 1 FROM experiment_assignments a JOIN experiments e ON e.id = a.experiment_id
        WHERE a.user_id = ${userId} AND e.id <> ${experiment.id} AND e.layer = ${layerClause}::text
          AND e.status IN ('RUNNING', 'PAUSED'))
      ON CONFLICT (experiment_id, user_id) DO NOTHING`;
    return this.persistedVariant(experiment.id, userId);
  }
}
