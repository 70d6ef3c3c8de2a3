import { spawn } from "node:child_process";

/** Runs a PostgreSQL client tool; its stderr becomes the error message when it fails. */
function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", (error) => reject(new Error(`${tool} could not run (install postgresql-client): ${error.message}`)));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${tool} exited with ${code}: ${stderr.trim()}`))));
  });
}

/**
 * pg_dump's custom format: one consistent snapshot of the whole database (pg_dump
 * runs in a single repeatable-read transaction, so the server keeps serving), compressed,
 * restorable table by table. No owners or privileges, so it restores into any role's database.
 */
export function dumpPostgres(databaseUrl: string, file: string): Promise<void> {
  return run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--file=${file}`, databaseUrl]);
}

/**
 * Replaces the database's contents with the dump's, in one transaction: a restore that
 * fails half way leaves the database as it was.
 */
export function restorePostgres(databaseUrl: string, file: string): Promise<void> {
  return run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", `--dbname=${databaseUrl}`, file]);
}
