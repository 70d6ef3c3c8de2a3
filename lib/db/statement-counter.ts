import type { SqlDriverAdapterFactory } from "@prisma/client/runtime/client";

type SqlDriverAdapter = Awaited<ReturnType<SqlDriverAdapterFactory["connect"]>>;
type SqlTransaction = Awaited<ReturnType<SqlDriverAdapter["startTransaction"]>>;

/** A driver adapter factory that counts the SQL statements Prisma sends through it. */
export interface CountingAdapterFactory {
  readonly factory: SqlDriverAdapterFactory;
  statementCount(): number;
}

/**
 * Wraps a Prisma driver adapter factory so every statement (queries, commands and
 * scripts, inside transactions too) increments one counter. The underlying factory
 * and its connection pool stay shared: several counting wrappers over the same
 * factory give each service its own count over one database. Transaction control
 * (BEGIN/COMMIT/ROLLBACK) is not counted: some adapters send it as a statement,
 * others (PGlite) handle it inside the driver, and counts must agree across them.
 */
export function countStatements(inner: SqlDriverAdapterFactory): CountingAdapterFactory {
  let count = 0;
  const counted = <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    (...args: Args): Promise<Result> => {
      if (!isTransactionControl(args[0])) count += 1;
      return call(...args);
    };

  const wrapTransaction = (transaction: SqlTransaction): SqlTransaction =>
    delegate(transaction, {
      queryRaw: counted(transaction.queryRaw.bind(transaction)),
      executeRaw: counted(transaction.executeRaw.bind(transaction)),
    });

  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    delegate(adapter, {
      queryRaw: counted(adapter.queryRaw.bind(adapter)),
      executeRaw: counted(adapter.executeRaw.bind(adapter)),
      executeScript: counted(adapter.executeScript.bind(adapter)),
      startTransaction: async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) =>
        wrapTransaction(await adapter.startTransaction(...args)),
    });

  const factory = delegate(inner, {
    connect: async () => wrapAdapter(await inner.connect()),
  });
  return { factory, statementCount: () => count };
}

/**
 * The target with some methods replaced; everything else (adapter info, optional
 * capabilities such as savepoints or connection info) passes through unchanged, so
 * Prisma sees the same capabilities as without the wrapper.
 */
function delegate<Target extends object>(target: Target, overrides: Partial<Target>): Target {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Target];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

function isTransactionControl(query: unknown): boolean {
  const sql = (query as { sql?: unknown } | undefined)?.sql;
  return typeof sql === "string" && /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql);
}
