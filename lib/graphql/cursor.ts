import { badUserInput } from "../errors.ts";

/**
 * Opaque Relay cursors: base64url of a small JSON tuple. Clients must treat them
 * as tokens; the server can change what is inside without breaking them mid-page.
 */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor(cursor: string, field = "after"): (string | number)[] {
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(position) && position.length > 0 && position.every((part) => typeof part === "string" || typeof part === "number")) {
      return position;
    }
  } catch {
    // falls through to the error below
  }
  throw badUserInput(`${field} is not a valid cursor`, field);
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Builds a connection from `first + 1` fetched rows: the extra row only tells whether a next page exists. */
export function toConnection<Node>(
  rows: Node[],
  first: number,
  totalCount: number,
  positionOf: (node: Node) => readonly (string | number)[],
): Connection<Node> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(positionOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
