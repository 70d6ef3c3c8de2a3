import { loadConfigOrExit } from "../lib/config.ts";
import { openDatabase } from "../lib/db/database.ts";
import { createLogger } from "../lib/logger.ts";
import { createPubSub } from "../lib/pubsub.ts";
import { modelChangedPublisher } from "./pipeline/publish.ts";
import { listVersions, promote, rollback } from "./registry/registry.ts";

/**
 * `npm run models -- list [NAME]`            registered versions with their status and NDCG@10
 * `npm run models -- promote NAME VERSION`   put a version in production (its files are checked first)
 * `npm run models -- rollback NAME`          production goes back to the previously promoted version
 */
const [command, name, version] = process.argv.slice(2);
class UsageError extends Error {}
const usage = "usage: npm run models -- list [NAME] | promote NAME VERSION | rollback NAME\n";

const config = loadConfigOrExit();
const logger = createLogger(config, "models");
const db = await openDatabase(config);
const bus = createPubSub(config, logger);
const publish = modelChangedPublisher(bus);
const format = (value: unknown) => (typeof value === "number" ? value.toFixed(4) : "—");

try {
  switch (command) {
    case "list": {
      const rows = await listVersions(db, name);
      if (rows.length === 0) process.stdout.write("no model versions registered\n");
      for (const row of rows) {
        process.stdout.write(
          `${row.name.padEnd(11)} v${String(row.version).padEnd(4)} ${row.status.padEnd(10)} NDCG@10 ${format(row.metrics.ndcgAt10)}  ` +
            `trained ${row.trainedAt.toISOString()}${row.promotedAt ? `  promoted ${row.promotedAt.toISOString()}` : ""}  ${row.artifactPath}\n`,
        );
      }
      break;
    }
    case "promote": {
      const parsed = Number(version);
      if (!name || !Number.isInteger(parsed)) throw new UsageError();
      const row = await promote(db, name, parsed, publish);
      process.stdout.write(`${row.name} v${row.version} is now in production\n`);
      break;
    }
    case "rollback": {
      if (!name) throw new UsageError();
      const row = await rollback(db, name, publish);
      process.stdout.write(`${row.name} rolled back to v${row.version}\n`);
      break;
    }
    default:
      throw new UsageError();
  }
} catch (error) {
  process.stderr.write(error instanceof UsageError ? usage : `models ${command}: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
} finally {
  await bus.close();
  await db.close();
}

