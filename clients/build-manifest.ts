import { readdir, readFile, writeFile } from "node:fs/promises";
import { relative } from "node:path";
import { addTypenameToDocument, print } from "@apollo/client/utilities";
import { sortTopLevelDefinitions } from "@apollo/persisted-query-lists";
import { Kind, parse, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { MANIFEST_FORMAT, operationId, type PersistedQueryManifest } from "../lib/persisted-queries/manifest.ts";

/**
 * `npm run pq:manifest`: the trusted documents. Every operation in clients/**\/*.graphql,
 * with the fragments it uses (from any file), becomes one entry of
 * clients/persisted-query-manifest.json in Apollo's manifest format. Bodies are
 * transformed as Apollo Client sends them (__typename added, printed by its printer) and
 * ordered as Apollo's persisted-query tooling orders them, and ids are their SHA-256.
 */
const root = new URL("..", import.meta.url).pathname;
const output = new URL("persisted-query-manifest.json", import.meta.url).pathname;

const operations: OperationDefinitionNode[] = [];
const fragments = new Map<string, FragmentDefinitionNode>();
const clientsDir = new URL(".", import.meta.url).pathname;
const files = (await readdir(clientsDir, { recursive: true }))
  .filter((file) => file.endsWith(".graphql") && !file.split("/").includes("node_modules"))
  .map((file) => `clients/${file}`)
  .sort();
for (const file of files) {
  const document = parse(await readFile(`${root}${file}`, "utf8"));
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (!definition.name) throw new Error(`${file}: every client operation needs a name`);
      operations.push(definition);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      if (fragments.has(definition.name.value)) throw new Error(`${file}: fragment ${definition.name.value} is defined twice`);
      fragments.set(definition.name.value, definition);
    }
  }
}

function fragmentsUsedBy(definition: DefinitionNode, into = new Map<string, FragmentDefinitionNode>()) {
  visit(definition, {
    FragmentSpread(node) {
      const name = node.name.value;
      const fragment = fragments.get(name);
      if (!fragment) throw new Error(`fragment ${name} is used but defined in no clients/ file`);
      if (into.has(name)) return;
      into.set(name, fragment);
      fragmentsUsedBy(fragment, into);
    },
  });
  return into;
}

const names = new Set<string>();
const manifest: PersistedQueryManifest = {
  format: MANIFEST_FORMAT,
  version: 1,
  operations: operations.map((operation) => {
    const name = operation.name!.value;
    if (names.has(name)) throw new Error(`operation ${name} is defined twice`);
    names.add(name);
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(operation).values()] };
    const body = print(sortTopLevelDefinitions(addTypenameToDocument(document)));
    return { id: operationId(body), name, type: operation.operation, body };
  }),
};
await writeFile(output, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${relative(process.cwd(), output)}: ${manifest.operations.length} operations from ${files.length} files\n`);
