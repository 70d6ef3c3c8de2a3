import { readFileSync } from "node:fs";

/**
 * The operations the README shows, fenced ```graphql blocks and the JSON bodies of
 * its curl examples: the limits' defaults must let every one of them through.
 */
export function readmeOperations(readmePath = new URL("../../README.md", import.meta.url)): string[] {
  const readme = readFileSync(readmePath, "utf8");
  const fenced = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
  const curled = [...readme.matchAll(/-d '(\{"query":.*?\})'/g)].map((match) => (JSON.parse(match[1]!) as { query: string }).query);
  return [...fenced, ...curled].filter((operation) => !/^\s*subscription\b/.test(operation));
}
