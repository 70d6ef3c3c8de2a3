import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { isObjectType, parse } from "graphql";
import type { IRules } from "graphql-shield";
import { booksSubgraph } from "../subgraphs/books/subgraph.ts";
import { experimentsSubgraph } from "../subgraphs/experiments/subgraph.ts";
import { recommendationsSubgraph } from "../subgraphs/recommendations/subgraph.ts";
import { usersSubgraph } from "../subgraphs/users/subgraph.ts";

const isRule = (value: unknown) => typeof value === "object" && value !== null && typeof (value as { resolve?: unknown }).resolve === "function";

/**
 * Shields deny anything unlisted, so an unlisted field is a closed field nobody
 * decided to close. Every field of every subgraph must have its rule: by name, or
 * through a rule for its whole type.
 */
describe("identity: every field of every subgraph has a permission rule", () => {
  for (const subgraph of [usersSubgraph, booksSubgraph, recommendationsSubgraph, experimentsSubgraph]) {
    it(subgraph.name, () => {
      const schema = buildSubgraphSchema({ typeDefs: parse(readFileSync(subgraph.schemaPath, "utf8")) });
      const rules = subgraph.permissions as Record<string, IRules>;
      const unlisted: string[] = [];
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith("__")) continue;
        const typeRules = rules[type.name];
        if (isRule(typeRules)) continue;
        // graphql-shield's "*": one rule for every field of the type not named beside it.
        if (isRule((typeRules as Record<string, unknown> | undefined)?.["*"])) continue;
        for (const field of Object.keys(type.getFields())) {
          if (!isRule((typeRules as Record<string, unknown> | undefined)?.[field])) unlisted.push(`${type.name}.${field}`);
        }
      }
      assert.deepEqual(unlisted, [], `fields without a rule in ${subgraph.name}`);
      for (const name of Object.keys(rules)) assert.ok(schema.getType(name), `${subgraph.name} has rules for ${name}, which it does not define`);
    });
  }
});
