import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { getOperationAST } from "graphql";
import { endSpan, type Span } from "../../tracing/spans.ts";

/**
 * Names and ends the request span the context started (lib/tracing): the operation
 * type and name once resolved, the outcome and error codes when the response goes.
 * Registered only when tracing is on.
 */
export function requestTracingPlugin<Context extends BaseContext & { span?: Span }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const span = contextValue.span;
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          span.updateName(`${operation.operation} ${operationName ?? "anonymous"}`);
          span.setAttributes({ "graphql.operation.type": operation.operation, "graphql.operation.name": operationName ?? "" });
        },
        async willSendResponse({ operationName, request, document, errors }) {
          const name = operationName ?? request.operationName ?? (document ? getOperationAST(document)?.name?.value : undefined);
          if (name) span.setAttribute("graphql.operation.name", name);
          const codes = [...new Set((errors ?? []).map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR")))];
          if (codes.length > 0) span.setAttribute("graphql.error.codes", codes);
          endSpan(span, codes.length > 0 ? "error" : "success", codes.join(","));
        },
      };
    },
  };
}
