import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { SUBGRAPH_NAMES, type SubgraphName } from "../lib/config.ts";

/**
 * Offline composition of the four subgraph SDLs into the supergraph the gateway
 * serves (no rover, no network). The committed schema/supergraph.graphql is its output.
 */
export const SUPERGRAPH_FILE = new URL("./supergraph.graphql", import.meta.url);

const DEFAULT_PORTS: Record<SubgraphName, number> = { users: 4001, books: 4002, recommendations: 4003, experiments: 4004 };

export function subgraphSchemaFile(name: SubgraphName): URL {
  return new URL(`../subgraphs/${name}/schema.graphql`, import.meta.url);
}

export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      // The URLs here are only defaults: the gateway routes by subgraph name to the configured *_URL.
      url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`,
      typeDefs: parse(readFileSync(subgraphSchemaFile(name), "utf8")),
    })),
  );
  if (result.errors) {
    throw new Error(`Supergraph composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join("\n")}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
