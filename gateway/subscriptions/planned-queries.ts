import type { GraphQLFormattedError } from "graphql";

export interface PlannedResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

/** Who a subscription's queries run as: the connection's credential headers and its client address. */
export interface Caller {
  readonly headers: Readonly<Record<string, string>>;
  readonly address: string | undefined;
}

/** Runs a query operation through the gateway (validation, limits, query planner, subgraphs) as a given caller. */
export type ExecuteAs = (caller: Caller, query: string, variables: Record<string, unknown>) => Promise<PlannedResult>;

/**
 * Shared across subscribers: one pushed event fans out to many subscriptions that
 * mostly ask the same thing as the same kind of caller (anonymous, typically), so
 * the answer is computed once per event, caller and query, and dropped with the event.
 */
const answers = new WeakMap<object, Map<string, Promise<PlannedResult>>>();

/** One subscriber's planned queries: run as its identity, shared per event with identical subscribers. */
export class PlannedQueries {
  constructor(
    private readonly executeAs: ExecuteAs,
    private readonly caller: Caller,
  ) {}

  run(event: object, query: string, variables: Record<string, unknown>): Promise<PlannedResult> {
    // Identical credentials see identical data; the address only decides whose rate the query is counted against.
    const key = `${JSON.stringify(this.caller.headers)}\n${query}\n${JSON.stringify(variables)}`;
    let byKey = answers.get(event);
    if (!byKey) answers.set(event, (byKey = new Map()));
    let answer = byKey.get(key);
    if (!answer) {
      answer = this.executeAs(this.caller, query, variables);
      byKey.set(key, answer);
    }
    return answer;
  }
}
