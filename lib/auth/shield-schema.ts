import { type GraphQLSchema } from "graphql";
import { applyMiddleware, type IMiddlewareFieldMap } from "graphql-middleware";
import { allow, shield, type IRules } from "graphql-shield";

type ShieldOptions = NonNullable<Parameters<typeof shield>[1]>;

/** Rules are class instances; a type's field map is a plain object. */
const isFieldMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** The rule graphql-shield applies to Type.field: the type's own rule, else the field's, else the type's wildcard, else the fallback. */
function ruleOf(rules: IRules, typeName: string, fieldName: string, fallback: unknown): unknown {
  const typeRules = isFieldMap(rules) ? rules[typeName] : rules;
  if (typeRules === undefined) return fallback;
  if (!isFieldMap(typeRules)) return typeRules;
  return typeRules[fieldName] ?? typeRules["*"] ?? fallback;
}

/**
 * graphql-shield over a schema, with exactly shield's rules and options, but only the
 * fields whose rule can deny are wrapped. Shield wraps every field in an asynchronous
 * middleware, `allow` ones too: on a list answer (a flagship's ten recommendations and
 * their books) that turned dozens of plain property reads per response into promises
 * and their garbage, for a check that always passes.
 */
export function shieldSchema(schema: GraphQLSchema, rules: IRules, options: ShieldOptions): GraphQLSchema {
  const generated = shield(rules, options).generate(schema) as Record<string, Record<string, unknown>>;
  const guarded: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(generated)) {
    const kept = Object.entries(fields).filter(([fieldName]) => ruleOf(rules, typeName, fieldName, options.fallbackRule ?? allow) !== allow);
    if (kept.length > 0) guarded[typeName] = Object.fromEntries(kept);
  }
  return applyMiddleware(schema, guarded as IMiddlewareFieldMap);
}
