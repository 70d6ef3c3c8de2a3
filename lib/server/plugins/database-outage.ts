import type { ApolloServerPlugin } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { isDatabaseUnavailableError } from "../../db/database-errors.ts";
import type { Logger } from "../../logger.ts";

/** An outage is over when no request has met it for this long. */
const QUIET_MS = 5_000;

/**
 * Counts the requests a database outage failed and logs each outage twice: once
 * when it starts (with the first request's id, to find it in traces) and once when
 * it is over (how many requests it failed). An outage fails every request, and one
 * line per request would bury everything else in the log.
 */
export class DatabaseOutageLog {
  private failedRequests = 0;
  private firstRequestId: string | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  /** Requests answered SERVICE_UNAVAILABLE because of the database, since start (metrics hook). */
  total = 0;

  constructor(private readonly logger: Logger) {}

  record(requestId: string | undefined, error: unknown): void {
    this.total += 1;
    if (this.failedRequests === 0) {
      this.firstRequestId = requestId;
      const cause = error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code } : undefined;
      this.logger.error({ requestId, cause }, "database unavailable: answering SERVICE_UNAVAILABLE until it returns");
    }
    this.failedRequests += 1;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.end(), QUIET_MS);
    this.quietTimer.unref();
  }

  private end(): void {
    this.logger.warn({ failedRequests: this.failedRequests, firstRequestId: this.firstRequestId }, "database outage over: requests are served again");
    this.failedRequests = 0;
    this.firstRequestId = undefined;
  }
}

export function databaseOutagePlugin<Context extends { logger: Logger; requestId?: string }>(outages: DatabaseOutageLog): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const outage = errors.map((error) => unwrapResolverError(error)).find((error) => isDatabaseUnavailableError(error));
          if (outage) outages.record(contextValue.requestId, outage);
        },
      };
    },
  };
}
