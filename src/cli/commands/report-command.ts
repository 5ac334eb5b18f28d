import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { formatReport, parseSince, reportFromSource } from "../../cost/session-report.js";
import { JsonlTurnSource } from "../../telemetry/jsonl-turn-source.js";
import type { TurnSource } from "../../telemetry/turn-source.js";
import { defaultTurnsFile } from "../../util/paths.js";

interface ReportOptions {
  since?: string;
  json?: boolean;
  turnsFile?: string;
}

/** Prints the report from any turn source (the JSONL file today, the store once it exists). */
export async function printReport(source: TurnSource, options: { since?: string; json?: boolean }, where: string) {
  const since = options.since ? parseSince(options.since) : undefined;
  const report = await reportFromSource(source, since);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (report.sessions.length === 0) {
    process.stdout.write(
      `No turn records${since ? ` since ${since}` : ""} in ${where}. Run traffic through \`switchyard serve\` first.\n`,
    );
    return;
  }
  process.stdout.write(`${formatReport(report)}\n`);
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("turns local and cloud, tokens, cache reuse, cost and savings, per session and in total")
    .option("--since <when>", "only turns since a duration ago (90s, 30m, 6h, 7d, 2w) or an ISO time")
    .option("--json", "print the report as JSON")
    .option("--turns-file <file>", "read this JSONL file of turn records instead of the configured one")
    .action(async (options: ReportOptions) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const configured = config.telemetry.turnsFile === undefined ? defaultTurnsFile() : config.telemetry.turnsFile;
      const path = options.turnsFile ?? configured;
      if (!path) throw new Error("turn records are off (telemetry.turnsFile is null); nothing to report");
      await printReport(new JsonlTurnSource(path), options, path);
    });
}
