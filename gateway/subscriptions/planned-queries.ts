import type { GraphQLFormattedError } from "graphql";

export interface PlannedResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

/** Runs a query operation through the gateway (validation, query planner, subgraphs) as a given caller. */
export type ExecuteAs = (headers: Readonly<Record<string, string>>, query: string, variables: Record<string, unknown>) => Promise<PlannedResult>;

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
    /** The headers of the caller the queries run as (re-read per event: a token may have expired meanwhile). */
    private readonly headers: () => Readonly<Record<string, string>>,
  ) {}

  run(event: object, query: string, variables: Record<string, unknown>): Promise<PlannedResult> {
    const headers = this.headers();
    const key = `${JSON.stringify(headers)}\n${query}\n${JSON.stringify(variables)}`;
    let byKey = answers.get(event);
    if (!byKey) answers.set(event, (byKey = new Map()));
    let answer = byKey.get(key);
    if (!answer) {
      answer = this.executeAs(headers, query, variables);
      byKey.set(key, answer);
    }
    return answer;
  }
}
