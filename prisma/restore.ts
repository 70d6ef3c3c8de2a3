import { loadConfigOrExit } from "../lib/config.ts";
import { restoreDatabase } from "../lib/db/backup/backup.ts";

/** `npm run db:restore -- <file>`: replaces the configured database with a backup (stop the services first). */
const config = loadConfigOrExit();
const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: npm run db:restore -- <backup file>\n");
  process.exit(2);
}
try {
  const { previousDataDir } = await restoreDatabase(config, file);
  process.stdout.write(`restored from ${file}${previousDataDir ? `; the replaced data folder is kept at ${previousDataDir}` : ""}\n`);
} catch (error) {
  process.stderr.write(`restore failed: ${(error as Error).message}\n`);
  process.exit(1);
}
