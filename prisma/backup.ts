import { loadConfigOrExit } from "../lib/config.ts";
import { backupDatabase } from "../lib/db/backup/backup.ts";

/** `npm run db:backup [-- file]`: a consistent backup of the configured database (README: Backup and recovery). */
const config = loadConfigOrExit();
try {
  const file = await backupDatabase(config, process.argv[2]);
  process.stdout.write(`backup written: ${file}\n`);
} catch (error) {
  process.stderr.write(`backup failed: ${(error as Error).message}\n`);
  process.exit(1);
}
