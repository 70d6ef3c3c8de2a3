import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Logger } from "../../../lib/logger.ts";
import { parseManifest } from "../../../lib/persisted-queries/manifest.ts";

/** The trusted documents the gateway serves: operation bodies by id. */
export interface TrustedDocuments {
  bodyOf(id: string): string | undefined;
  readonly size: number;
  close(): void;
}

/**
 * Loads the persisted-query manifest and swaps in a new one when the file changes
 * (`npm run pq:manifest`, a deploy), without a restart, like the supergraph file.
 * A missing file is an empty list; a broken one is rejected and the previous list
 * keeps serving. The directory is watched, so the file may appear later or be
 * replaced by a rename.
 */
export async function trustedDocumentsFromFile(path: string, logger: Logger): Promise<TrustedDocuments> {
  let bodies = new Map<string, string>();
  let current = "";
  const load = async (initial: boolean) => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (initial) logger.warn({ path }, "no persisted-query manifest: the trusted-document list is empty");
      return;
    }
    if (text === current) return;
    const manifest = parseManifest(text);
    bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
    current = text;
    logger.info({ path, operations: bodies.size }, initial ? "persisted-query manifest loaded" : "persisted-query manifest reloaded");
  };
  await load(true);

  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, filename) => {
      if (filename !== null && filename !== basename(path)) return;
      clearTimeout(debounce);
      // Writers replace the file in several steps; wait for it to settle.
      debounce = setTimeout(() => {
        load(false).catch((error: unknown) => {
          logger.error({ err: error, path }, "persisted-query manifest rejected; still serving the previous one");
        });
      }, 200);
    });
  } catch (error) {
    logger.warn({ err: error, path }, "cannot watch the persisted-query manifest's folder; it is read only at start");
  }
  return {
    bodyOf: (id) => bodies.get(id),
    get size() {
      return bodies.size;
    },
    close() {
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}
