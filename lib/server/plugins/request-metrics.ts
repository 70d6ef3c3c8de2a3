import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { getOperationAST } from "graphql";
import { boundedLabel, graphqlErrors, graphqlRequestDuration } from "../../metrics/index.ts";

/** Distinct operation names kept as label values per process; the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const operationLabel = boundedLabel(MAX_OPERATION_NAMES);

/**
 * Prometheus side of every GraphQL server: one duration observation per operation
 * (by name and outcome) and one count per error that reached the client, by code.
 */
export function requestMetricsPlugin<Context extends BaseContext>(service: string): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const stop = graphqlRequestDuration.startTimer({ service });
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            graphqlErrors.inc({ service, code: typeof code === "string" ? code : "INTERNAL_SERVER_ERROR" });
          }
        },
        async willSendResponse({ operationName, request, document, errors }) {
          // A document that failed validation has no resolved operation yet, but it is parsed: take the name from it.
          const name = operationName ?? request.operationName ?? (document ? getOperationAST(document)?.name?.value : undefined);
          stop({ operation: operationLabel(name), outcome: errors?.length ? "error" : "success" });
        },
      };
    },
  };
}
