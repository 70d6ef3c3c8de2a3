import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphQLError } from "graphql";
import { isDatabaseUnavailableError } from "../lib/db/database-errors.ts";
import { openDatabase } from "../lib/db/database.ts";
import { createErrorFormatter } from "../lib/errors.ts";
import { createLogger } from "../lib/logger.ts";
import { DatabaseOutageLog } from "../lib/server/plugins/database-outage.ts";
import { freePort } from "./support/ports.ts";

const silent = createLogger({ NODE_ENV: "test", LOG_LEVEL: "silent" }, "test");

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the work to fail");
}

describe("database error classification", () => {
  it("a server that refuses connections is unavailable, through Prisma, raw SQL and a held connection alike", async () => {
    const db = await openDatabase({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" });
    try {
      const errors = [
        await failureOf(() => db.prisma.user.findFirst()),
        await failureOf(() => db.prisma.$queryRaw`SELECT 1`),
        await failureOf(() => db.withConnection((connection) => connection.query("SELECT 1"))),
      ];
      for (const error of errors) assert.equal(isDatabaseUnavailableError(error), true, String(error));

      const formatted = createErrorFormatter(silent)(
        { message: (errors[0] as Error).message, path: ["books"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
        new GraphQLError((errors[0] as Error).message, { originalError: errors[0] as Error, path: ["books"] }),
      );
      assert.equal(formatted.extensions?.code, "SERVICE_UNAVAILABLE");
      assert.equal(formatted.extensions?.retryable, true);
      assert.doesNotMatch(formatted.message, /127\.0\.0\.1|prisma|invocation|\//i, "no driver text, host or path reaches the client");
      assert.deepEqual(formatted.path, ["books"]);
    } finally {
      await db.close();
    }
  });

  it("bad data and bugs are not outages", async () => {
    const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DATA_DIR: "memory://" });
    try {
      const badInput = await failureOf(() => db.prisma.$queryRawUnsafe("SELECT 'not a number'::int"));
      assert.equal(isDatabaseUnavailableError(badInput), false);
      const missingTable = await failureOf(() => db.prisma.$queryRawUnsafe("SELECT * FROM no_such_table"));
      assert.equal(isDatabaseUnavailableError(missingTable), false);
    } finally {
      await db.close();
    }
    assert.equal(isDatabaseUnavailableError(new TypeError("cannot read properties of undefined")), false);
    assert.equal(isDatabaseUnavailableError(undefined), false);
  });

  it("a session terminated by the server (restart, failover) is unavailable", { skip: process.env.DATABASE_URL ? false : "needs DATABASE_URL" }, async () => {
    const db = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_POOL_SIZE: 2, PGLITE_DATA_DIR: "unused" });
    try {
      const terminated = await failureOf(() => db.prisma.$queryRaw`SELECT pg_terminate_backend(pg_backend_pid())`);
      assert.equal(isDatabaseUnavailableError(terminated), true, String(terminated));
      const nulByte = await failureOf(() => db.prisma.$queryRawUnsafe("SELECT $1::text", "a\u0000b"));
      assert.equal(isDatabaseUnavailableError(nulByte), false, "a NUL byte is bad input, not an outage");
    } finally {
      await db.close();
    }
  });
});

describe("database outage log", () => {
  it("logs an outage once when it starts, with the request id, and once when it is over", async (t) => {
    const lines: { level: number; msg: string; requestId?: string; failedRequests?: number }[] = [];
    const logger = createLogger({ NODE_ENV: "test", LOG_LEVEL: "info" }, "test");
    for (const level of ["error", "warn", "info"] as const) {
      t.mock.method(logger, level, (fields: Record<string, unknown>, msg: string) => lines.push({ level: 0, msg, ...fields }));
    }
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const outages = new DatabaseOutageLog(logger);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    for (let i = 0; i < 50; i++) outages.record(`request-${i}`, refused);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.requestId, "request-0");
    t.mock.timers.tick(5_000);
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.failedRequests, 50);
    outages.record("request-later", refused);
    assert.equal(lines.length, 3, "a new outage is a new line");
    assert.equal(outages.total, 51);
  });
});
