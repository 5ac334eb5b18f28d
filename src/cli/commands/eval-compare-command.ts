import type { Command } from "commander";
import { comparisonTable, plainLine } from "../../eval/compare-format.js";
import { compareRuns, loadRun } from "../../eval/compare-runs.js";

export function registerEvalCompareCommand(evalCommand: Command): void {
  evalCommand
    .command("compare <runA> <runB>")
    .description("pair two runs on the same tasks: the difference with its test, and ratios of time, tokens and cost")
    .option("--json", "print JSON")
    .action((runA: string, runB: string, options: { json?: boolean }) => {
      const comparison = compareRuns(loadRun(runA), loadRun(runB));
      if (options.json)
        process.stdout.write(`${JSON.stringify({ ...comparison, line: plainLine(comparison) }, null, 2)}\n`);
      else process.stdout.write(`${comparisonTable(comparison)}\n`);
    });
}
