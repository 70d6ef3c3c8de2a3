import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "../../logger.ts";

/** One log line per operation with its duration, and one per error that reached the client. */
export function requestLoggingPlugin<Context extends { logger: Logger }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const startedAt = performance.now();
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            contextValue.logger.debug({ operationName, code, path: error.path, message: error.message }, "operation error");
          }
        },
        async willSendResponse({ operationName, errors }) {
          contextValue.logger.info(
            { operationName, ms: Math.round((performance.now() - startedAt) * 10) / 10, errors: errors?.length ?? 0 },
            "operation completed",
          );
        },
      };
    },
  };
}
