import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { Kind, parse, type DocumentNode } from "graphql";
import { createClient } from "graphql-ws";
import { StrictMode, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { exampleTabs } from "./examples.ts";
import "./playground.css";

const KEY_STORAGE = "shelfgraph.playground.apiKey";
const httpUrl = new URL("/graphql", window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, "ws");

/**
 * The partner playground: GraphiQL bundled and served by the gateway (no CDN), with the
 * partner's API key sent as `x-api-key` on every request and in the subscription handshake.
 */
/**
 * The document and operation a run means. Right after a tab switch GraphiQL can still
 * hand the fetcher the previous tab's operation name and parsed document; the fetcher
 * picks WebSocket by them, so a subscription tab's run went over HTTP and failed. Both
 * are taken from the query text being sent instead.
 */
function runOf(query: string, operationName: string | null | undefined): { operationName?: string | null; documentAST?: DocumentNode } {
  try {
    const documentAST = parse(query);
    const names = documentAST.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value] : []));
    if (operationName && names.includes(operationName)) return { operationName, documentAST };
    return { operationName: names.length === 1 ? (names[0] ?? null) : operationName, documentAST };
  } catch {
    return { operationName }; // the server reports the syntax error
  }
}

function Playground() {
  const [apiKey, setApiKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const fetcher = useMemo(() => {
    const headers: Record<string, string> = apiKey ? { "x-api-key": apiKey } : {};
    const wsClient = createClient({ url: wsUrl, lazy: true, connectionParams: () => ({ ...headers }) });
    const base = createGraphiQLFetcher({ url: httpUrl, headers, wsClient });
    const fetcher: Fetcher = (params, options) => {
      const { operationName, documentAST } = runOf(params.query, params.operationName);
      return base({ ...params, operationName }, { ...options, documentAST: documentAST ?? options?.documentAST });
    };
    return fetcher;
  }, [apiKey]);
  return (
    <div className="playground">
      <form className="key" onSubmit={(event) => event.preventDefault()}>
        <strong>Shelfgraph partner playground</strong>
        <label>
          API key{" "}
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            placeholder="sk_… (sent as x-api-key)"
            value={apiKey}
            onChange={(event) => {
              setApiKey(event.target.value.trim());
              localStorage.setItem(KEY_STORAGE, event.target.value.trim());
            }}
          />
        </label>
        <span className="hint">{apiKey ? "Requests carry your key." : "Without a key: anonymous limits, no introspection in production."}</span>
      </form>
      <div className="ide">
        {/* A new fetcher (new key) remounts GraphiQL so the schema is introspected again with the key. */}
        <GraphiQL key={apiKey} fetcher={fetcher} defaultTabs={exampleTabs} />
      </div>
    </div>
  );
}

createRoot(document.getElementById("playground")!).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
