import { watch } from "node:fs";
import { readFile } from "node:fs/promises";
import type { SupergraphSdlHook } from "@apollo/gateway";
import type { Logger } from "../lib/logger.ts";

/**
 * Serves the supergraph from a file and swaps it in when the file changes
 * (`npm run compose` while running), without a restart. A broken file is
 * rejected by the gateway and the previous schema keeps serving.
 */
export function supergraphFromFile(path: string, logger: Logger): SupergraphSdlHook {
  return async ({ update }) => {
    let current = await readFile(path, "utf8");
    let debounce: NodeJS.Timeout | undefined;
    const reload = () => {
      clearTimeout(debounce);
      // Editors and compose write in several steps; wait for the file to settle.
      debounce = setTimeout(async () => {
        try {
          const next = await readFile(path, "utf8");
          if (next === current || next.trim() === "") return;
          update(next);
          current = next;
          logger.info({ path }, "supergraph reloaded");
        } catch (error) {
          logger.error({ err: error, path }, "supergraph reload rejected; still serving the previous one");
        }
      }, 200);
    };
    const watcher = watch(path, reload);
    return {
      supergraphSdl: current,
      async cleanup() {
        clearTimeout(debounce);
        watcher.close();
      },
    };
  };
}
