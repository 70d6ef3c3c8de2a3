import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export type CacheScope = "PUBLIC" | "PRIVATE";

/** A cache hint as @cacheControl writes it; an empty hint restricts nothing. */
export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
}

interface Annotation extends CacheHint {
  inheritMaxAge?: boolean;
}

/** Apollo's `restrict`: the shorter max-age, and PRIVATE over PUBLIC. */
function restrictHint(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined && (policy.maxAge === undefined || hint.maxAge < policy.maxAge)) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined && policy.scope !== "PRIVATE") policy.scope = hint.scope;
}

/** Apollo's `replace`: what the hint sets wins. */
function replaceHint(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined) policy.scope = hint.scope;
}

function annotationOf(directives: readonly DirectiveNode[] | undefined): Annotation | undefined {
  const directive = directives?.find((d) => d.name.value === "cacheControl");
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments!.find((a) => a.name.value === name)?.value;
  const scopeValue = argument("scope");
  const scope = scopeValue?.kind === Kind.ENUM && (scopeValue.value === "PUBLIC" || scopeValue.value === "PRIVATE") ? scopeValue.value : undefined;
  const inherit = argument("inheritMaxAge");
  if (inherit?.kind === Kind.BOOLEAN && inherit.value) return { inheritMaxAge: true, ...(scope ? { scope } : {}) };
  const maxAge = argument("maxAge");
  return { ...(maxAge?.kind === Kind.INT ? { maxAge: parseInt(maxAge.value, 10) } : {}), ...(scope ? { scope } : {}) };
}

function typeAnnotation(type: GraphQLNamedType): Annotation {
  return annotationOf(type.astNode?.directives) ?? type.extensionASTNodes.map((node) => annotationOf(node.directives)).find(Boolean) ?? {};
}

function fieldAnnotation(field: GraphQLField<unknown, unknown>): Annotation {
  return annotationOf(field.astNode?.directives) ?? {};
}

/**
 * The cache policy of one operation over a schema's @cacheControl hints, by the rules
 * of Apollo Server's cache-control plugin, worked out from the operation's selections
 * instead of field by field as they resolve:
 *
 * - a field returning an object, interface or union takes its type's hint, a field's
 *   own hint replaces it (or inherits its parent's max-age with `inheritMaxAge`), and
 *   a root field or a composite field left without a max-age gets 0;
 * - a scalar field without a hint inherits;
 * - `_entities` (federation) takes the hint of each entity type it selects, as
 *   @apollo/subgraph's resolver does for the types it is sent;
 * - the operation's policy is the shortest max-age of all and PRIVATE if any is.
 *
 * It counts every selected field, where Apollo's plugin counts those it resolves: a
 * field under a null parent or an empty list can only make this policy stricter.
 */
export function operationCachePolicy(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): CacheHint {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const policy: CacheHint = {};
  if (!operation) return { maxAge: 0 };
  const root = schema.getRootType(operation.operation);
  if (!root) return { maxAge: 0 };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );

  // Each selected field with the type it is selected on (fragments spread, type conditions narrowing).
  const fieldsOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>, out: [FieldNode, GraphQLCompositeType][]) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) out.push([selection, parent]);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (narrowed && isCompositeType(narrowed)) fieldsOf(selection.selectionSet, narrowed, seen, out);
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        const narrowed = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && narrowed && isCompositeType(narrowed)) fieldsOf(fragment.selectionSet, narrowed, new Set(seen).add(selection.name.value), out);
      }
    }
    return out;
  };
  // The entity types an `_entities` selection names (its inline fragments and fragment spreads).
  const entityTypes = (selectionSet: SelectionSetNode): GraphQLCompositeType[] =>
    [...new Set(fieldsOf(selectionSet, schema.getType("_Entity") as GraphQLCompositeType, new Set(), []).map(([, on]) => on))].filter(isObjectType);

  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, isRoot: boolean) => {
    for (const [node, on] of fieldsOf(selectionSet, parent, new Set(), [])) {
      if (node.name.value.startsWith("__")) continue; // meta fields resolve without a hint
      // A field selected on an abstract type resolves on each of its object types: the strictest counts.
      const owners = isAbstractType(on) ? schema.getPossibleTypes(on) : [on];
      for (const owner of owners) {
        const field = owner.getFields()[node.name.value];
        if (!field) continue;
        const target = getNamedType(field.type);
        const fieldPolicy: CacheHint = {};
        let inheritMaxAge = false;
        if (isCompositeType(target)) {
          const annotation = typeAnnotation(target);
          replaceHint(fieldPolicy, annotation);
          inheritMaxAge = annotation.inheritMaxAge === true;
        }
        const own = fieldAnnotation(field);
        if (own.inheritMaxAge && fieldPolicy.maxAge === undefined) {
          inheritMaxAge = true;
          if (own.scope) replaceHint(fieldPolicy, { scope: own.scope });
        } else replaceHint(fieldPolicy, own);
        if (isRoot && node.name.value === "_entities" && node.selectionSet) {
          for (const entity of entityTypes(node.selectionSet)) restrictHint(fieldPolicy, typeAnnotation(entity));
        }
        if (fieldPolicy.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRoot)) restrictHint(fieldPolicy, { maxAge: 0 });
        restrictHint(policy, fieldPolicy);
        if (node.selectionSet && isCompositeType(target)) visit(node.selectionSet, target, false);
      }
    }
  };
  visit(operation.selectionSet, root, true);
  return policy;
}

/**
 * operationCachePolicy once per parsed document: Apollo Server keeps one parsed
 * document per distinct query text, so a gateway sending the same plan's fetches
 * reuses the policy worked out the first time.
 */
export class OperationCachePolicies {
  private readonly known = new WeakMap<DocumentNode, Map<string, CacheHint>>();

  constructor(private readonly schema: GraphQLSchema) {}

  of(document: DocumentNode, operationName?: string | null): CacheHint {
    let byName = this.known.get(document);
    if (!byName) this.known.set(document, (byName = new Map()));
    const key = operationName ?? "";
    let hint = byName.get(key);
    if (!hint) byName.set(key, (hint = operationCachePolicy(this.schema, document, operationName)));
    return hint;
  }
}
