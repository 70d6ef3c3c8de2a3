import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** How an operation is built, as written: what the structural limits are checked against. */
export interface OperationShape {
  /** Deepest nesting of fields (a root field is depth 1), through fragments. */
  depth: number;
  /** Fields renamed with an alias, in the operation and the fragments it uses. */
  aliases: number;
  /** Fields selected on the root type, through fragments. */
  rootFields: number;
  /** Directive uses, in the operation and the fragments it uses. */
  directives: number;
}

interface SelectionSummary {
  depth: number;
  aliases: number;
  directives: number;
  fields: number;
}

/**
 * Measures an operation in one pass over its selections. Each fragment is
 * summarised once and reused, so documents that spread one fragment many times
 * (or fragments that spread each other in a cycle, which validation has not yet
 * rejected here) cost linear time, not exponential.
 */
export function measureShape(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const summaries = new Map<string, SelectionSummary>();
  const inProgress = new Set<string>();
  const counted = new Set<string>();

  const fragmentSummary = (name: string): SelectionSummary | undefined => {
    const known = summaries.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return undefined;
    inProgress.add(name);
    const summary = summarise(fragment.selectionSet);
    summary.directives += fragment.directives?.length ?? 0;
    inProgress.delete(name);
    summaries.set(name, summary);
    return summary;
  };

  function summarise(selectionSet: SelectionSetNode): SelectionSummary {
    const total: SelectionSummary = { depth: 0, aliases: 0, directives: 0, fields: 0 };
    for (const selection of selectionSet.selections) {
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        total.fields += 1;
        if (selection.alias) total.aliases += 1;
        const child = selection.selectionSet ? summarise(selection.selectionSet) : undefined;
        total.depth = Math.max(total.depth, 1 + (child?.depth ?? 0));
        total.aliases += child?.aliases ?? 0;
        total.directives += child?.directives ?? 0;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const child = summarise(selection.selectionSet);
        total.depth = Math.max(total.depth, child.depth);
        total.aliases += child.aliases;
        total.directives += child.directives;
        total.fields += child.fields;
      } else {
        const child = fragmentSummary(selection.name.value);
        if (!child) continue;
        total.depth = Math.max(total.depth, child.depth);
        total.fields += child.fields;
        // A fragment's aliases and directives are written once however often it is spread.
        if (!counted.has(selection.name.value)) {
          counted.add(selection.name.value);
          total.aliases += child.aliases;
          total.directives += child.directives;
        }
      }
    }
    return total;
  }

  const root = summarise(operation.selectionSet);
  return {
    depth: root.depth,
    aliases: root.aliases,
    rootFields: root.fields,
    directives: root.directives + (operation.directives?.length ?? 0),
  };
}
