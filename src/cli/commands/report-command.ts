import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { SqliteTurnStore } from "../../store/sqlite-turn-store.js";
import { JsonlTurnSource } from "../../telemetry/jsonl-turn-source.js";
import { formatReport, parseSince, reportFromSource } from "../../telemetry/session-report.js";
import type { TurnSource } from "../../telemetry/turn-source.js";
import { defaultStoreFile, defaultTurnsFile } from "../../util/paths.js";

interface ReportOptions {
  since?: string;
  json?: boolean;
  from?: "store" | "turns-file";
  store?: string;
  turnsFile?: string;
}

/** Prints the report from any turn source (the store, or the JSONL file of turn records). */
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

/**
 * The store when there is one (what the gateway writes and the dashboard reads), else the JSONL file.
 * An explicit file or `--from` wins; a missing store file falls back to the JSONL file unless asked for.
 */
function chooseSource(
  config: SwitchyardConfig,
  options: ReportOptions,
): { kind: "store" | "turns-file"; path: string } {
  const storePath =
    options.store ?? (config.store.path === null ? undefined : (config.store.path ?? defaultStoreFile()));
  const turnsPath =
    options.turnsFile ??
    (config.telemetry.turnsFile === undefined ? defaultTurnsFile() : (config.telemetry.turnsFile ?? undefined));
  const from =
    options.from ??
    (options.store
      ? "store"
      : options.turnsFile
        ? "turns-file"
        : storePath && existsSync(storePath)
          ? "store"
          : "turns-file");
  if (from === "store") {
    if (!storePath) throw new Error("the turn store is off (store.path is null); pass --store <file>");
    if (!existsSync(storePath)) throw new Error(`no turn store at ${storePath}`);
    return { kind: "store", path: storePath };
  }
  if (!turnsPath)
    throw new Error("turn records are off (telemetry.turnsFile is null) and there is no store; nothing to report");
  return { kind: "turns-file", path: turnsPath };
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("turns local and cloud, tokens, cache reuse, cost and savings, per session and in total")
    .option("--since <when>", "only turns since a duration ago (90s, 30m, 6h, 7d, 2w) or an ISO time")
    .option("--json", "print the report as JSON")
    .addOption(
      new Option(
        "--from <source>",
        "read the turn store or the JSONL file (default: the store when its file exists)",
      ).choices(["store", "turns-file"]),
    )
    .option("--store <file>", "read this SQLite turn store instead of the configured one")
    .option("--turns-file <file>", "read this JSONL file of turn records instead of the configured one")
    .action(async (options: ReportOptions) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const chosen = chooseSource(config, options);
      process.stderr.write(
        `switchyard report: turns from ${chosen.kind === "store" ? "the store" : "the JSONL file"} ${chosen.path}\n`,
      );
      if (chosen.kind === "turns-file") return printReport(new JsonlTurnSource(chosen.path), options, chosen.path);
      // Pruning is the gateway's job: a report only reads.
      const store = new SqliteTurnStore({ path: chosen.path, retentionDays: 0 });
      try {
        await printReport(store, options, chosen.path);
      } finally {
        await store.close();
      }
    });
}
