import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { comparisonTable, plainLine } from "../../eval/compare-format.js";
import { renderComparisonHtml } from "../../eval/compare-html.js";
import { compareRuns, loadRun } from "../../eval/compare-runs.js";

export function registerEvalCompareCommand(evalCommand: Command): void {
  evalCommand
    .command("compare <runA> <runB>")
    .description("pair two runs on the same tasks: the difference with its test, and ratios of time, tokens and cost")
    .option("--json", "print JSON")
    .option("--html <file>", "also write a page with the table and charts (uPlot, self-contained)")
    .action((runA: string, runB: string, options: { json?: boolean; html?: string }) => {
      const comparison = compareRuns(loadRun(runA), loadRun(runB));
      if (options.html) writeFileSync(options.html, renderComparisonHtml(comparison));
      if (options.json)
        process.stdout.write(`${JSON.stringify({ ...comparison, line: plainLine(comparison) }, null, 2)}\n`);
      else process.stdout.write(`${comparisonTable(comparison)}\n`);
    });
}
