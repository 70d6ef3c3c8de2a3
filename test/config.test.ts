import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig, subgraphUrl } from "../lib/config.ts";

describe("configuration from the environment", () => {
  it("runs on defaults alone: embedded database, local ports", () => {
    const config = loadConfig({});
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.GATEWAY_PORT, 4000);
    assert.equal(subgraphUrl(config, "books"), "http://localhost:4002/graphql");
  });

  it("names every bad variable and the value it got", () => {
    assert.throws(
      () => loadConfig({ GATEWAY_PORT: "eighty", DATABASE_URL: "not a url", LOG_LEVEL: "loud", PGLITE_SHARED_BUFFERS: "lots" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PGLITE_SHARED_BUFFERS: must be a PostgreSQL size such as 16MB/);
        assert.match(error.message, /GATEWAY_PORT: .*"eighty"/);
        assert.match(error.message, /DATABASE_URL: .*"not a url"/);
        assert.match(error.message, /LOG_LEVEL: /);
        return true;
      },
    );
  });

  it("refuses the development JWT secret in production without echoing secrets", () => {
    assert.throws(() => loadConfig({ NODE_ENV: "production" }), /JWT_SECRET: must be set in production/);
    assert.throws(
      () => loadConfig({ JWT_SECRET: "short-secret" }),
      (error: unknown) => error instanceof ConfigError && /JWT_SECRET/.test(error.message) && !error.message.includes("short-secret"),
    );
  });

  it("lets *_URL variables place subgraphs elsewhere", () => {
    const config = loadConfig({ BOOKS_URL: "http://books.internal:8080/graphql", BOOKS_PORT: "9002" });
    assert.equal(subgraphUrl(config, "books"), "http://books.internal:8080/graphql");
    assert.equal(subgraphUrl(config, "users"), "http://localhost:4001/graphql");
  });
});
