import { buildPGliteTemplate, pgliteTemplatePath } from "./pglite-template.ts";

/**
 * `npm run db:pglite-template` (run by postinstall): the initialised PGlite data
 * directory a fresh embedded install starts from. Never fails the install: without
 * the template a first start runs initdb itself.
 */
const path = pgliteTemplatePath();
try {
  const started = performance.now();
  await buildPGliteTemplate(path);
  process.stdout.write(`PGlite data-directory template written to ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
} catch (error) {
  process.stderr.write(`PGlite data-directory template not written (a first start will run initdb): ${error instanceof Error ? error.message : String(error)}\n`);
}
