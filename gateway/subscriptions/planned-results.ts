import { GraphQLError, type GraphQLFieldResolver, type GraphQLFormattedError } from "graphql";

/**
 * Values of a pushed event fall in two kinds. Objects built from the event itself
 * (marked with EVENT_OBJECT) are read by field name, and an EntityRef among their
 * values stands for an entity of the supergraph that is fetched through the query
 * planner. Everything under a fetched entity is the planner's answer, keyed by the
 * client's response keys (aliases), with its errors indexed by where they occurred.
 */
export const EVENT_OBJECT = Symbol("event object");

export class EntityRef {
  constructor(
    readonly typename: EntityTypename,
    readonly id: number,
    /** The raw event: fetches for the same event, identity and selection are shared by all subscribers. */
    readonly event: object,
  ) {}
}

/** The supergraph's entities a pushed event may reference, with the root field that fetches one by id. */
export const ENTITY_ROOT_FIELDS = { Book: "book", User: "user", Review: "review" } as const;
export type EntityTypename = keyof typeof ENTITY_ROOT_FIELDS;

export function eventObject<T extends object>(fields: T): T {
  return Object.assign(fields, { [EVENT_OBJECT]: true });
}

const errorsByParent = new WeakMap<object, Map<string, GraphQLError>>();

export function toGraphQLError(error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, { extensions: error.extensions ?? {} });
}

/**
 * Remembers each error of a planned answer at the object (and response key) it
 * nulled, so resolving that field raises the subgraph's own error instead of a
 * "cannot return null" of our making.
 */
export function indexErrors(data: unknown, errors: readonly GraphQLFormattedError[] | undefined, pathPrefix: readonly (string | number)[] = []): void {
  for (const error of errors ?? []) {
    const path = error.path ?? [];
    if (!pathPrefix.every((key, index) => path[index] === key)) continue;
    let parent: unknown = data;
    for (let index = pathPrefix.length; index < path.length; index += 1) {
      if (parent === null || typeof parent !== "object") break;
      const key = String(path[index]);
      const next = (parent as Record<string, unknown>)[key];
      if (index === path.length - 1 || next === null || next === undefined) {
        let byKey = errorsByParent.get(parent);
        if (!byKey) errorsByParent.set(parent, (byKey = new Map()));
        byKey.set(key, toGraphQLError(error));
        break;
      }
      parent = next;
    }
  }
}

export interface EntityResolver {
  load(ref: EntityRef, info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3]): Promise<unknown>;
}

/** The field resolver of the planner's answers and of event objects (Subscription's own fields dispatch elsewhere). */
export function resolveEventField(source: unknown, info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3], entities: EntityResolver): unknown {
  if (source === null || typeof source !== "object") return undefined;
  const record = source as Record<string | symbol, unknown>;
  if (record[EVENT_OBJECT]) {
    const value = record[info.fieldName];
    return value instanceof EntityRef ? entities.load(value, info) : value;
  }
  const key = String(info.path.key);
  const value = record[key];
  if (value === null || value === undefined) {
    const error = errorsByParent.get(source)?.get(key);
    if (error) throw error;
  }
  return value;
}
