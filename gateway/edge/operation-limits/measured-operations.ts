import { getVariableValues, visit, type ASTNode, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { ErrorCode, requestRefused } from "../../../lib/errors.ts";
import { SIZE_ARGUMENTS } from "./cost.ts";
import { checkOperation, type OperationLimits } from "./limits.ts";

type CheckArgs = Parameters<typeof checkOperation>[0];

/** Distinct values of an operation's size variables whose cost is remembered (e.g. limit: 5, 10, 20). */
const COSTS_PER_OPERATION = 64;

interface Measured {
  /** Variables the cost depends on: those in `limit`/`first` arguments and in directives (@skip/@include). */
  sizeVariables: string[];
  /** Cost by the values of those variables. */
  costs: Map<string, number>;
}

/**
 * checkOperation, remembered per parsed document: Apollo hands every request with the
 * same query text the same DocumentNode (its document store), so a client's repeated
 * operation is measured once and only its variables are looked at again. A random book
 * id changes nothing; another `limit` is measured afresh. Operations over a limit are
 * never remembered: each one is refused by the full check, with its own message.
 */
export function measuredOperations(limits: OperationLimits): (args: CheckArgs) => number {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<OperationDefinitionNode, Measured>>>();

  return function check(args) {
    let byDocument = bySchema.get(args.schema);
    if (!byDocument) bySchema.set(args.schema, (byDocument = new WeakMap()));
    let byOperation = byDocument.get(args.document);
    if (!byOperation) byDocument.set(args.document, (byOperation = new Map()));
    let measured = byOperation.get(args.operation);
    if (!measured) {
      const cost = checkOperation(args, limits);
      measured = { sizeVariables: sizeVariablesOf(args.document), costs: new Map() };
      measured.costs.set(sizeKey(measured.sizeVariables, args.variables), cost);
      byOperation.set(args.operation, measured);
      return cost;
    }
    const key = sizeKey(measured.sizeVariables, args.variables);
    const known = measured.costs.get(key);
    if (known === undefined) {
      const cost = checkOperation(args, limits);
      if (measured.costs.size >= COSTS_PER_OPERATION) measured.costs.clear();
      measured.costs.set(key, cost);
      return cost;
    }
    assertVariablesFit(args);
    return known;
  };
}

/** The check the full cost walk makes on variables, with the same message: values that do not fit their types are the client's error. */
function assertVariablesFit({ schema, operation, variables }: CheckArgs): void {
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (errors?.length) throw requestRefused(ErrorCode.BAD_USER_INPUT, errors.at(-1)!.message, 400);
}

function sizeVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  visit(document, {
    Argument(argument) {
      if (SIZE_ARGUMENTS.includes(argument.name.value)) collect(argument.value);
    },
    Directive(directive) {
      collect(directive);
    },
    // Variables are declared in definitions, not used there: only uses count.
    VariableDefinition: () => false,
  });
  return [...names].sort();
}

/** A variable that was not sent differs from one sent as null (the default applies). */
const sizeKey = (names: string[], variables: Record<string, unknown> | undefined) =>
  JSON.stringify(names.map((name) => (variables && Object.hasOwn(variables, name) ? [variables[name]] : [])));
