import { isGraphKind, type GraphKind } from "./graph-signatures.ts";

/**
 * What a model version tells the server about itself, written by its algorithm's
 * exporter into `manifest.json` (`serving`): which strategy it answers for, which
 * graphs (by signature kind) it was exported with, and which file holds each. The
 * server serves any model from this description alone, so a new algorithm that
 * exports known graph kinds needs no serving code.
 *
 * - `similar` lists come from `item-neighbours` or `item-top-k`;
 * - personal lists from `user-top-k` (with `user-vectors`/`vector-scorer` and the
 *   fold-in) or `history-top-k`;
 * - `score` from `vector-scorer` or `history-scorer`;
 * - `popularity-*` graphs make the popularity lookups model-driven.
 */
export type ServingRole = "collaborative" | "content" | "popularity" | "blend";

export interface ServingDescription {
  readonly role: ServingRole;
  readonly graphs: Partial<Record<GraphKind, string>>;
}

const ROLES: readonly ServingRole[] = ["collaborative", "content", "popularity", "blend"];

/** Validates a manifest's `serving` value; null when it is absent or malformed. */
export function parseServingDescription(value: unknown): ServingDescription | null {
  if (typeof value !== "object" || value === null) return null;
  const { role, graphs } = value as { role?: unknown; graphs?: unknown };
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) return null;
  if (typeof graphs !== "object" || graphs === null) return null;
  const parsed: Partial<Record<GraphKind, string>> = {};
  for (const [kind, file] of Object.entries(graphs)) {
    if (!isGraphKind(kind) || typeof file !== "string" || file.includes("/") || file.includes("..")) return null;
    parsed[kind] = file;
  }
  return { role: role as ServingRole, graphs: parsed };
}
