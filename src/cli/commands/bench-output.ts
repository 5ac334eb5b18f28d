import { writeFileSync } from "node:fs";
import { renderHtmlReport } from "../../bench/html-report.js";
import type { PreflightReport } from "../../bench/preflight.js";
import type { ReplayReport } from "../../bench/replay-sessions.js";

/** Writes `--json` and `--html` when asked, and says where on stderr. */
export function writeBenchFiles(
  files: { json?: string; html?: string },
  reports: { preflight?: PreflightReport; replay?: ReplayReport },
): void {
  const written: Array<[string | undefined, () => string]> = [
    [files.json, () => `${JSON.stringify(reports.preflight ?? reports.replay, null, 2)}\n`],
    [files.html, () => renderHtmlReport(reports)],
  ];
  for (const [file, text] of written) {
    if (!file) continue;
    writeFileSync(file, text());
    process.stderr.write(`wrote ${file}\n`);
  }
}
