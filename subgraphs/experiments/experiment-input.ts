import type { PrismaClient } from "../../lib/db/database.ts";
import { badUserInput } from "../../lib/errors.ts";
import { isRecommendationStrategy, PINNED_MODEL_OF_STRATEGY, type ExperimentSurface, type RecommendationStrategy } from "../../lib/experiments/strategies.ts";
import { targetingSchema, type Targeting } from "../../lib/experiments/targeting.ts";

export const EXPERIMENT_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const VARIANT_KEY = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const LAYER = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_VARIANTS = 10;
const MAX_WEIGHT = 10_000;
const METRICS = ["CTR", "CONVERSION"] as const;
type Metric = (typeof METRICS)[number];


export interface VariantInput {
  key: string;
  name?: string | null;
  weight: number;
  strategy: string;
  modelVersion?: number | null;
}

export interface ExperimentFieldsInput {
  name?: string | null;
  description?: string | null;
  surface?: ExperimentSurface | null;
  trafficPercent?: number | null;
  variants?: VariantInput[] | null;
  targeting?: Record<string, unknown> | null;
  layer?: string | null;
  primaryMetric?: Metric | null;
  guardrailMetrics?: Metric[] | null;
}

export interface CreateExperimentInput extends ExperimentFieldsInput {
  key: string;
  surface: ExperimentSurface;
  variants: VariantInput[];
}

export interface ValidVariant {
  key: string;
  name: string;
  weight: number;
  strategy: RecommendationStrategy;
  modelVersion: number | null;
}

/** Every field checked, each failure a BAD_USER_INPUT naming the field (as `input.<path>`). */
export function validKey(key: string, field = "key"): string {
  if (!EXPERIMENT_KEY.test(key)) throw badUserInput(`${field} must be 1-64 lowercase letters, digits, '-' or '_'`, field);
  return key;
}

export function validText(value: string | null | undefined, field: string, max: number): string | null | undefined {
  if (value === null || value === undefined) return value;
  const text = value.trim();
  if (text.length > max) throw badUserInput(`${field} must be at most ${max} characters`, field);
  return text;
}

export function validTraffic(value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 100) throw badUserInput("input.trafficPercent must be an integer from 0 to 100", "input.trafficPercent");
  return value;
}

export function validLayer(value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value;
  if (!LAYER.test(value)) throw badUserInput("input.layer must be 1-64 lowercase letters, digits, '-' or '_'", "input.layer");
  return value;
}

export function validTargeting(value: Record<string, unknown> | null | undefined): Targeting | undefined {
  if (value === null || value === undefined) return undefined;
  // GraphQL leaves unset optional fields out; explicit nulls mean "no condition".
  const given = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
  const parsed = targetingSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["input", "targeting", ...issue.path.filter((part) => typeof part === "string")].join(".");
    throw badUserInput(`${field}: ${issue.message}`, field);
  }
  return parsed.data;
}

export function validGuardrails(value: Metric[] | null | undefined): Metric[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (new Set(value).size !== value.length) throw badUserInput("input.guardrailMetrics has a metric twice", "input.guardrailMetrics");
  return value;
}

export async function validVariants(prisma: PrismaClient, variants: VariantInput[]): Promise<ValidVariant[]> {
  if (variants.length < 2 || variants.length > MAX_VARIANTS) {
    throw badUserInput(`input.variants must have 2 to ${MAX_VARIANTS} variants (the first is the control)`, "input.variants");
  }
  const seen = new Set<string>();
  const valid: ValidVariant[] = [];
  for (const [i, variant] of variants.entries()) {
    const field = (name: string) => `input.variants[${i}].${name}`;
    if (!VARIANT_KEY.test(variant.key)) throw badUserInput(`${field("key")} must be 1-32 lowercase letters, digits, '-' or '_'`, field("key"));
    if (seen.has(variant.key)) throw badUserInput(`${field("key")}: variant key "${variant.key}" is used twice`, field("key"));
    seen.add(variant.key);
    if (!Number.isInteger(variant.weight) || variant.weight <= 0 || variant.weight > MAX_WEIGHT) {
      throw badUserInput(`${field("weight")} must be a positive integer up to ${MAX_WEIGHT}`, field("weight"));
    }
    if (!isRecommendationStrategy(variant.strategy)) throw badUserInput(`${field("strategy")}: unknown strategy ${JSON.stringify(variant.strategy)}`, field("strategy"));
    const modelVersion = variant.modelVersion ?? null;
    if (modelVersion !== null) {
      if (!Number.isInteger(modelVersion) || modelVersion < 1) throw badUserInput(`${field("modelVersion")} must be a positive integer`, field("modelVersion"));
      const name = PINNED_MODEL_OF_STRATEGY[variant.strategy];
      const registered = await prisma.modelVersion.findUnique({ where: { name_version: { name, version: modelVersion } }, select: { status: true } });
      if (!registered || registered.status === "ARCHIVED") {
        throw badUserInput(`${field("modelVersion")}: ${name} has no servable version ${modelVersion}`, field("modelVersion"));
      }
    }
    valid.push({ key: variant.key, name: validText(variant.name, field("name"), 200) || variant.key, weight: variant.weight, strategy: variant.strategy, modelVersion });
  }
  return valid;
}

export const variantConfig = (variant: ValidVariant) => ({ strategy: variant.strategy, ...(variant.modelVersion === null ? {} : { modelVersion: variant.modelVersion }) });
