import type { MessagePort } from "node:worker_threads";
import type { SqlConnection, SqlDatabase } from "./database.ts";

/**
 * Raw SQL across a worker-thread boundary. PGlite lives in one thread and cannot be
 * opened twice, so a worker (the background training run) sends its statements to the
 * thread that owns the database and gets rows back. PGlite has one session, so the
 * worker's "connection" is that session, exactly as `withConnection` gives it in-thread.
 */
type Request = { readonly id: number; readonly op: "query" | "exec"; readonly text: string; readonly params?: unknown[] };
type Reply = { readonly id: number; readonly rows?: unknown[]; readonly error?: { message: string; code?: string } };

export interface ServedDatabase {
  /**
   * Stops answering and leaves the session as it was before the worker: a transaction
   * or advisory lock the worker held when it was stopped is rolled back / released.
   */
  release(): Promise<void>;
}

/** Thrown into an exclusive transaction to roll it back when the worker says ROLLBACK. */
const ROLLED_BACK = new Error("rolled back by the worker");

/**
 * The owning side: answers the worker's statements on `db` in the order they arrive.
 * Where the database offers exclusive transactions (PGlite), the worker's BEGIN ... COMMIT
 * runs in one, so no statement of this thread's own requests lands inside it.
 */
export function serveDatabaseOverPort(port: MessagePort, db: SqlDatabase): ServedDatabase {
  let inTransaction = false;
  let locked = false;
  let exclusive: { connection: SqlConnection; end(commit: boolean): void; done: Promise<void> } | undefined;
  let queue = Promise.resolve();
  const begin = () =>
    new Promise<void>((opened) => {
      let end!: (commit: boolean) => void;
      const done = db.exclusiveTransaction!(
        (connection) =>
          new Promise<void>((resolve, reject) => {
            end = (commit) => (commit ? resolve() : reject(ROLLED_BACK));
            exclusive = { connection, end, done };
            opened();
          }),
      ).catch((error: unknown) => {
        if (error !== ROLLED_BACK) throw error;
      });
    });
  const finish = async (commit: boolean) => {
    const open = exclusive!;
    exclusive = undefined;
    open.end(commit);
    await open.done;
  };
  const run = async (request: Request, statement: string): Promise<unknown[]> => {
    if (db.exclusiveTransaction && statement === "BEGIN" && !exclusive) return begin().then(() => []);
    if (exclusive && (statement === "COMMIT" || statement === "ROLLBACK")) return finish(statement === "COMMIT").then(() => []);
    const on = async (connection: SqlConnection) => {
      if (request.op === "exec") {
        await connection.exec(request.text);
        return [];
      }
      return connection.query(request.text, request.params);
    };
    return exclusive ? on(exclusive.connection) : db.withConnection(on);
  };
  const onMessage = (request: Request) => {
    queue = queue.then(async () => {
      const statement = request.text.trim().toUpperCase();
      try {
        const rows = await run(request, statement);
        if (statement === "BEGIN") inTransaction = true;
        if (statement === "COMMIT" || statement === "ROLLBACK") inTransaction = false;
        if (statement.includes("PG_ADVISORY_LOCK") || statement.includes("PG_TRY_ADVISORY_LOCK")) locked = true;
        port.postMessage({ id: request.id, rows } satisfies Reply);
      } catch (error) {
        if (statement === "COMMIT" || statement === "ROLLBACK") inTransaction = false;
        const { message, code } = error as { message?: string; code?: string };
        port.postMessage({ id: request.id, error: { message: message ?? String(error), ...(code ? { code } : {}) } } satisfies Reply);
      }
    });
  };
  port.on("message", onMessage);
  return {
    async release() {
      port.off("message", onMessage);
      await queue;
      if (exclusive) {
        await finish(false).catch(() => {});
        inTransaction = false;
      }
      await db.withConnection(async (connection) => {
        if (inTransaction) await connection.exec("ROLLBACK").catch(() => {});
        if (locked) await connection.query("SELECT pg_advisory_unlock_all()").catch(() => {});
      });
    },
  };
}

/** The worker's side: a database whose every statement runs in the owning thread. */
export function databaseOverPort(port: MessagePort, kind: SqlDatabase["kind"]): SqlDatabase & { close(): void } {
  let nextId = 0;
  const pending = new Map<number, { resolve(rows: unknown[]): void; reject(error: Error): void }>();
  port.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    else waiting.resolve(reply.rows ?? []);
  });
  const send = (request: Omit<Request, "id">) =>
    new Promise<unknown[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.postMessage({ ...request, id } satisfies Request);
    });
  const connection: SqlConnection = {
    query: async <Row>(text: string, params?: unknown[]) => (await send({ op: "query", text, ...(params ? { params } : {}) })) as Row[],
    exec: async (text) => {
      await send({ op: "exec", text });
    },
  };
  return {
    kind,
    withConnection: (work) => work(connection),
    close: () => port.close(),
  };
}
