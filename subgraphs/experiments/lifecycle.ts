import type { Experiment, ExperimentStatus, Prisma, PrismaClient } from "../../lib/db/database.ts";
import { inPrismaTransaction } from "../../lib/db/transaction.ts";
import { badUserInput, conflict, notFound } from "../../lib/errors.ts";
import { runningExperimentsCacheKeys } from "../../lib/experiments/serving-variants.ts";
import type { Cache } from "../../lib/cache.ts";
import {
  validGuardrails,
  validKey,
  validLayer,
  validTargeting,
  validText,
  validTraffic,
  validVariants,
  variantConfig,
  type CreateExperimentInput,
  type ExperimentFieldsInput,
  type ValidVariant,
} from "./experiment-input.ts";

/** Serialises status changes across processes: the one-running-per-surface-and-layer check and the change are atomic. */
const LIFECYCLE_LOCK = 0x45585031;

const variantRows = (variants: ValidVariant[]) =>
  variants.map((variant) => ({ key: variant.key, name: variant.name, weight: variant.weight, strategy: variant.strategy, modelVersion: variant.modelVersion, config: variantConfig(variant) }));

export class ExperimentLifecycle {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cache: Cache,
  ) {}

  async create(input: CreateExperimentInput): Promise<Experiment> {
    const key = validKey(input.key, "input.key");
    const variants = await validVariants(this.prisma, input.variants);
    const data = {
      key,
      name: validText(input.name, "input.name", 200) || key,
      description: validText(input.description, "input.description", 2000) ?? null,
      surface: input.surface,
      trafficPercent: validTraffic(input.trafficPercent) ?? 100,
      targeting: validTargeting(input.targeting) ?? {},
      layer: validLayer(input.layer) ?? null,
      primaryMetric: input.primaryMetric ?? "CTR",
      guardrailMetrics: validGuardrails(input.guardrailMetrics) ?? [],
    };
    if (await this.prisma.experiment.findUnique({ where: { key }, select: { id: true } })) {
      throw badUserInput(`input.key: an experiment "${key}" already exists`, "input.key");
    }
    try {
      return await this.prisma.experiment.create({ data: { ...data, variants: { create: variantRows(variants) } } });
    } catch (error) {
      // Two concurrent creates of one key: the unique index decides.
      if ((error as { code?: string }).code === "P2002") throw badUserInput(`input.key: an experiment "${key}" already exists`, "input.key");
      throw error;
    }
  }

  async update(key: string, input: ExperimentFieldsInput): Promise<Experiment> {
    const experiment = await this.existing(key);
    const draft = experiment.status === "DRAFT";
    const onlyInDraft = (field: keyof ExperimentFieldsInput) => {
      if (input[field] !== undefined && !draft) throw badUserInput(`input.${field} can only change while the experiment is DRAFT (it is ${experiment.status})`, `input.${field}`);
    };
    (["variants", "surface", "layer", "targeting"] as const).forEach(onlyInDraft);
    const trafficPercent = validTraffic(input.trafficPercent);
    if (trafficPercent !== undefined && !draft) {
      if (experiment.status === "COMPLETED") throw badUserInput("input.trafficPercent cannot change once COMPLETED", "input.trafficPercent");
      if (trafficPercent < experiment.trafficPercent) {
        throw badUserInput(`input.trafficPercent can only grow while an experiment runs (from ${experiment.trafficPercent})`, "input.trafficPercent");
      }
    }
    const variants = input.variants ? await validVariants(this.prisma, input.variants) : undefined;
    const data: Prisma.ExperimentUpdateInput = {
      ...(input.name !== undefined ? { name: validText(input.name, "input.name", 200) || experiment.key } : {}),
      ...(input.description !== undefined ? { description: validText(input.description, "input.description", 2000) ?? null } : {}),
      ...(input.surface ? { surface: input.surface } : {}),
      ...(trafficPercent !== undefined ? { trafficPercent } : {}),
      ...(input.targeting !== undefined ? { targeting: validTargeting(input.targeting) ?? {} } : {}),
      ...(input.layer !== undefined ? { layer: validLayer(input.layer) ?? null } : {}),
      ...(input.primaryMetric ? { primaryMetric: input.primaryMetric } : {}),
      ...(input.guardrailMetrics !== undefined ? { guardrailMetrics: validGuardrails(input.guardrailMetrics) ?? [] } : {}),
    };
    const updated = await inPrismaTransaction(this.prisma, async (tx) => {
      if (variants) {
        await tx.experimentVariant.deleteMany({ where: { experimentId: experiment.id } });
        await tx.experimentVariant.createMany({ data: variantRows(variants).map((row) => ({ ...row, experimentId: experiment.id })) });
      }
      return tx.experiment.update({ where: { id: experiment.id }, data });
    });
    await this.changed();
    return updated;
  }

  start(key: string): Promise<Experiment> {
    return this.transition(key, ["DRAFT", "PAUSED"], "RUNNING");
  }

  pause(key: string): Promise<Experiment> {
    return this.transition(key, ["RUNNING"], "PAUSED");
  }

  complete(key: string): Promise<Experiment> {
    return this.transition(key, ["RUNNING", "PAUSED"], "COMPLETED");
  }

  private async transition(key: string, from: ExperimentStatus[], to: ExperimentStatus): Promise<Experiment> {
    await this.existing(key);
    const updated = await inPrismaTransaction(this.prisma, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LIFECYCLE_LOCK}::bigint)`;
      const experiment = (await tx.experiment.findUnique({ where: { key } }))!;
      if (!from.includes(experiment.status)) throw conflict(`experiment "${key}" is ${experiment.status}; it cannot become ${to}`);
      if (to === "RUNNING") {
        const clash = await tx.experiment.findFirst({
          where: { status: "RUNNING", surface: experiment.surface, layer: experiment.layer, id: { not: experiment.id } },
          select: { key: true },
        });
        if (clash) {
          throw badUserInput(
            `layer: experiment "${clash.key}" already runs on ${experiment.surface} in ${experiment.layer ? `layer "${experiment.layer}"` : "the default layer"}`,
            "layer",
          );
        }
      }
      const now = new Date();
      return tx.experiment.update({
        where: { id: experiment.id },
        data: {
          status: to,
          ...(to === "RUNNING" && !experiment.startedAt ? { startedAt: now } : {}),
          ...(to === "COMPLETED" ? { endedAt: now } : {}),
        },
      });
    });
    await this.changed();
    return updated;
  }

  private async existing(key: string): Promise<Experiment> {
    validKey(key);
    const experiment = await this.prisma.experiment.findUnique({ where: { key } });
    if (!experiment) throw notFound("Experiment", key);
    return experiment;
  }

  /** Serving reads running experiments through the cache: drop it so the change applies now. */
  private changed(): Promise<void> {
    return this.cache.delete(...runningExperimentsCacheKeys());
  }
}
