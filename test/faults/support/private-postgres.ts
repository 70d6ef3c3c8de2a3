import { execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../support/ports.ts";
import { waitForPort } from "../../support/private-redis.ts";

const run = promisify(execFile);

/**
 * A PostgreSQL server of the fault suite's own: initdb into a temporary directory,
 * started with pg_ctl on a free port, so the suite can stop and restart it without
 * touching the machine's server. PostgreSQL refuses to run as root: as root the
 * binaries run as the `postgres` user (runuser), on a directory that user owns.
 */
export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** URL of a database on this server. */
  urlOf(database: string): string;
  /** Immediate shutdown: connections drop at once, as in a crash or failover. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function binDirectory(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql");
  return join(root, newest, "bin");
}

export const postgresServerAvailable = (): boolean => {
  try {
    binDirectory();
    return true;
  } catch {
    return false;
  }
};

const asRoot = userInfo().uid === 0;

async function asServerUser(binary: string, args: string[]): Promise<void> {
  const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
  await run(command, argv, { maxBuffer: 10 * 1024 * 1024 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDirectory();
  const dataDir = mkdtempSync(join(tmpdir(), "shelfgraph-faults-pg-"));
  const socketDir = mkdtempSync(join(tmpdir(), "shelfgraph-faults-pgsock-"));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    chownSync(dataDir, Number(stdout.trim()), Number(group.trim()));
    chownSync(socketDir, Number(stdout.trim()), Number(group.trim()));
  }
  const port = await freePort();
  await asServerUser(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${socketDir}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
    "-c shared_buffers=64MB",
  ].join(" ");

  async function start(): Promise<void> {
    await asServerUser(join(bin, "pg_ctl"), ["-D", dataDir, "-o", options, "-l", join(dataDir, "server.log"), "-w", "-t", "60", "start"]);
    await waitForPort(port, 30_000);
  }
  async function stop(): Promise<void> {
    await asServerUser(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => {});
  }
  let closed = false;
  const cleanup = () => {
    if (closed) return;
    // Last resort on an abrupt exit: never leave a server running.
    const killer = spawn(asRoot ? "runuser" : join(bin, "pg_ctl"), asRoot ? ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", dataDir, "-m", "immediate", "stop"] : ["-D", dataDir, "-m", "immediate", "stop"], { stdio: "ignore", detached: true });
    killer.unref();
  };
  process.on("exit", cleanup);

  await start();
  const urlOf = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    url: urlOf("postgres"),
    port,
    urlOf,
    start,
    stop,
    async close() {
      await stop();
      closed = true;
      process.off("exit", cleanup);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
