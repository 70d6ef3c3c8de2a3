import type { GraphQLResolveInfo } from "graphql";
import { ENTITY_ROOT_FIELDS, indexErrors, toGraphQLError, type EntityRef, type EntityResolver } from "./planned-results.ts";
import { plannedSelection, queryDocument, type PlannedSelection } from "./planned-selection.ts";
import type { PlannedQueries } from "./planned-queries.ts";

interface Pending {
  ref: EntityRef;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Batch {
  selection: PlannedSelection;
  typename: EntityRef["typename"];
  event: object;
  pending: Pending[];
}

/**
 * Fetches the entities one pushed event references, for one subscriber, through the
 * supergraph: every reference resolved in the same tick with the same selection
 * becomes one aliased query (`e0: book(id: $e0) { ...selection } e1: ...`), which the
 * query planner turns into one fetch per subgraph.
 */
export class EntityLoader implements EntityResolver {
  #batches = new Map<object, Map<string, Batch>>();
  #scheduled = false;

  constructor(private readonly queries: PlannedQueries) {}

  load(ref: EntityRef, info: GraphQLResolveInfo): Promise<unknown> {
    const selection = plannedSelection(info);
    const key = `${ref.typename}\n${selection.selectionSet}\n${selection.fragments.join("\n")}\n${JSON.stringify(selection.variables)}`;
    let ofEvent = this.#batches.get(ref.event);
    if (!ofEvent) this.#batches.set(ref.event, (ofEvent = new Map()));
    let batch = ofEvent.get(key);
    if (!batch) {
      batch = { selection, typename: ref.typename, event: ref.event, pending: [] };
      ofEvent.set(key, batch);
    }
    const target = batch;
    const promise = new Promise((resolve, reject) => target.pending.push({ ref, resolve, reject }));
    if (!this.#scheduled) {
      this.#scheduled = true;
      // graphql-js resolves every item of a list in the same tick: a macrotask gathers them all.
      setImmediate(() => this.#flush());
    }
    return promise;
  }

  #flush(): void {
    this.#scheduled = false;
    const batches = [...this.#batches.values()].flatMap((ofEvent) => [...ofEvent.values()]);
    this.#batches = new Map();
    for (const batch of batches) void this.#run(batch);
  }

  async #run(batch: Batch): Promise<void> {
    const ids = [...new Set(batch.pending.map((pending) => pending.ref.id))];
    const alias = (index: number) => `sg_e${index}`;
    const field = ENTITY_ROOT_FIELDS[batch.typename];
    const body = ids.map((_, index) => `${alias(index)}: ${field}(id: $${alias(index)}) ${batch.selection.selectionSet}`).join(" ");
    const query = queryDocument("SubscriptionEntities", batch.selection, body, ids.map((_, index) => `$${alias(index)}: ID!`));
    const variables = { ...batch.selection.variables, ...Object.fromEntries(ids.map((id, index) => [alias(index), String(id)])) };
    try {
      const result = await this.queries.run(batch.event, query, variables);
      const data = (result.data ?? {}) as Record<string, unknown>;
      indexErrors(data, result.errors);
      for (const pending of batch.pending) {
        const key = alias(ids.indexOf(pending.ref.id));
        const value = data[key];
        if (value !== null && value !== undefined) pending.resolve(value);
        else {
          const error = result.errors?.find((candidate) => candidate.path?.[0] === key) ?? result.errors?.[0];
          if (error) pending.reject(toGraphQLError(error));
          else pending.resolve(null);
        }
      }
    } catch (error) {
      for (const pending of batch.pending) pending.reject(error);
    }
  }
}
