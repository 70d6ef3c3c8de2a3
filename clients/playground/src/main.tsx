import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
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
function Playground() {
  const [apiKey, setApiKey] = useState(() => localStorage.getItem(KEY_STORAGE) ?? "");
  const fetcher = useMemo(() => {
    const headers: Record<string, string> = apiKey ? { "x-api-key": apiKey } : {};
    const wsClient = createClient({ url: wsUrl, lazy: true, connectionParams: () => ({ ...headers }) });
    return createGraphiQLFetcher({ url: httpUrl, headers, wsClient });
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
