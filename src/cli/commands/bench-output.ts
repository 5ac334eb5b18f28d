import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderHtmlReport } from "../../bench/html-report.js";
import type { PreflightReport } from "../../bench/preflight.js";
import type { ReplayReport } from "../../bench/replay-sessions.js";
import { latestBenchReportFile } from "../../util/paths.js";

/**
 * Writes `--json` and `--html` when asked, and says where on stderr. The HTML report is also copied to
 * the state folder, where the dashboard finds the latest one to link (`latestBenchReportFile`).
 */
export function writeBenchFiles(
  files: { json?: string; html?: string },
  reports: { preflight?: PreflightReport; replay?: ReplayReport },
): void {
  const written: Array<[string | undefined, () => string, boolean]> = [
    [files.json, () => `${JSON.stringify(reports.preflight ?? reports.replay, null, 2)}\n`, false],
    [files.html, () => renderHtmlReport(reports), true],
  ];
  for (const [file, text, linked] of written) {
    if (!file) continue;
    const content = text();
    writeFileSync(file, content);
    process.stderr.write(`wrote ${file}\n`);
    if (linked) {
      const latest = latestBenchReportFile();
      mkdirSync(dirname(latest), { recursive: true });
      writeFileSync(latest, content);
    }
  }
}
