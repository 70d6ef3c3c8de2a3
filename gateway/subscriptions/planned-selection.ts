import {
  Kind,
  print,
  visit,
  type ASTNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from "graphql";

/**
 * What a subscription field selected, ready to be sent as part of a query: the
 * selection set (all of the field's nodes merged), the operation's variable
 * definitions and fragments it uses, and those variables' values.
 */
export interface PlannedSelection {
  /** `{ ... }`, printed. */
  readonly selectionSet: string;
  /** Printed `$name: Type = default` definitions of the variables used. */
  readonly variableDefinitions: readonly string[];
  /** Printed fragment definitions used (transitively). */
  readonly fragments: readonly string[];
  readonly variables: Readonly<Record<string, unknown>>;
}

/** `extra` nodes (a field's arguments copied into the query) count towards the variables used. */
export function plannedSelection(info: GraphQLResolveInfo, extra: readonly ASTNode[] = []): PlannedSelection {
  const selectionSet: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []),
  };
  const variables = new Set<string>();
  const fragments = new Set<string>();
  const collect = (node: ASTNode) => {
    visit(node, {
      Variable(variable) {
        variables.add(variable.name.value);
      },
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (fragments.has(name)) return;
        fragments.add(name);
        const fragment = info.fragments[name];
        if (fragment) collect(fragment);
      },
    });
  };
  collect(selectionSet);
  for (const node of extra) collect(node);
  const definitions = (info.operation.variableDefinitions ?? []).filter((definition) => variables.has(definition.variable.name.value));
  return {
    selectionSet: print(selectionSet),
    variableDefinitions: definitions.map(print),
    fragments: [...fragments].flatMap((name) => (info.fragments[name] ? [print(info.fragments[name])] : [])),
    variables: Object.fromEntries(
      definitions.map((definition) => definition.variable.name.value).filter((name) => name in info.variableValues).map((name) => [name, info.variableValues[name]]),
    ),
  };
}

/** A query operation of `body` that carries the selection's variables and fragments plus `extraDefinitions`. */
export function queryDocument(name: string, selection: PlannedSelection, body: string, extraDefinitions: readonly string[] = []): string {
  const definitions = [...selection.variableDefinitions, ...extraDefinitions];
  return [`query ${name}${definitions.length > 0 ? `(${definitions.join(", ")})` : ""} { ${body} }`, ...selection.fragments].join("\n");
}
