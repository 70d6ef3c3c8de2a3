import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { renderHtmlReport, type RunReport } from "./html.ts";

/** Writes `<dir>/reports/<stamp>.json` and `.html` and refreshes `latest.*`; returns both paths. */
export async function writeRunReport(artifactsDir: string, report: RunReport): Promise<{ json: string; html: string }> {
  const dir = resolve(artifactsDir, "reports");
  await mkdir(dir, { recursive: true });
  const stamp = report.generatedAt.replace(/[:.]/g, "-");
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const html = renderHtmlReport(report);
  const paths = { json: join(dir, `${stamp}.json`), html: join(dir, `${stamp}.html`) };
  await writeFile(paths.json, json);
  await writeFile(paths.html, html);
  await writeFile(join(dir, "latest.json"), json);
  await writeFile(join(dir, "latest.html"), html);
  return paths;
}
