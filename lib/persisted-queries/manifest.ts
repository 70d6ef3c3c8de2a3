import { createHash } from "node:crypto";

/**
 * Apollo's persisted-query manifest format: the operations a client may send, each
 * with its id, the SHA-256 (hex) of its body, as Apollo's tooling and links compute it.
 */
export interface PersistedQueryManifest {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: PersistedOperation[];
}

export interface PersistedOperation {
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
}

export const MANIFEST_FORMAT = "apollo-persisted-query-manifest";

export const operationId = (body: string) => createHash("sha256").update(body).digest("hex");

/** Parses and checks a manifest: the right format, and every id the hash of its body. */
export function parseManifest(text: string): PersistedQueryManifest {
  const manifest = JSON.parse(text) as Partial<PersistedQueryManifest>;
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`not an ${MANIFEST_FORMAT} version 1`);
  }
  for (const operation of manifest.operations) {
    if (typeof operation?.body !== "string" || operation.id !== operationId(operation.body)) {
      throw new Error(`operation ${JSON.stringify(operation?.name)}: its id is not the SHA-256 of its body`);
    }
  }
  return manifest as PersistedQueryManifest;
}
