import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";

/** Distinct documents remembered per schema; an app has a handful, so this only bounds abuse. */
const MAX_DOCUMENTS = 500;

type Validated = { document: DocumentNode } | { errors: readonly GraphQLError[] };

const bySchema = new WeakMap<GraphQLSchema, Map<string, Validated>>();

const coded = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });

/**
 * A subscription document parsed and validated against the schema once, however many
 * subscribers send it: a thousand clients reconnecting after a deploy subscribe with
 * the same few documents. A new schema (a supergraph reload) starts afresh.
 */
export function validatedDocument(schema: GraphQLSchema, text: string): Validated {
  let documents = bySchema.get(schema);
  if (!documents) bySchema.set(schema, (documents = new Map()));
  const known = documents.get(text);
  if (known) return known;
  let validated: Validated;
  try {
    const document = parse(text);
    const invalid = validate(schema, document);
    validated = invalid.length > 0 ? { errors: invalid.map((error) => coded(error, "GRAPHQL_VALIDATION_FAILED")) } : { document };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    validated = { errors: [coded(error, "GRAPHQL_PARSE_FAILED")] };
  }
  if (documents.size >= MAX_DOCUMENTS) documents.clear();
  documents.set(text, validated);
  return validated;
}
