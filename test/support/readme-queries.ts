import { readFileSync } from "node:fs";
import { Kind, parse } from "graphql";

/**
 * The operations the README shows, fenced ```graphql blocks and the JSON bodies of
 * its curl examples: the limits' defaults must let every one of them through.
 * Queries (one per block) can be run; the rest (mutation and subscription examples,
 * several to a block, with placeholders) can only be measured.
 */
export function readmeOperations(readmePath = new URL("../../README.md", import.meta.url)): { queries: string[]; others: string[] } {
  const readme = readFileSync(readmePath, "utf8");
  const fenced = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/#[^\n"]*$/gm, "").trim());
  const curled = [...readme.matchAll(/-d '(\{"query":.*?\})'/g)].map((match) => (JSON.parse(match[1]!) as { query: string }).query);
  const queries: string[] = [];
  const others: string[] = [];
  for (const operation of [...fenced, ...curled]) {
    const definitions = parse(operation).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const runnable = definitions.length === 1 && definitions[0]!.kind === Kind.OPERATION_DEFINITION && definitions[0]!.operation === "query";
    (runnable ? queries : others).push(operation);
  }
  return { queries, others };
}
