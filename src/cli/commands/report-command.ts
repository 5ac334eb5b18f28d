import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { configuredStoreLocation } from "../../gateway/start-switchyard.js";
import {
  describeStoreLocation,
  openTurnStore,
  type StoreLocation,
  storeLocation,
} from "../../store/open-turn-store.js";
import { JsonlTurnSource } from "../../telemetry/jsonl-turn-source.js";
import { formatReport, parseSince, reportFromSource } from "../../telemetry/session-report.js";
import type { TurnSource } from "../../telemetry/turn-source.js";
import { defaultTurnsFile } from "../../util/paths.js";

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
 * A Postgres store (`store.url`, or `--store postgres://…`) is always there to ask.
 */
function chooseSource(
  config: SwitchyardConfig,
  options: ReportOptions,
): { kind: "store"; location: StoreLocation } | { kind: "turns-file"; path: string } {
  const store = options.store ? storeLocation(options.store) : configuredStoreLocation(config);
  const storeExists = store !== undefined && (store.kind === "postgres" || existsSync(store.path));
  const turnsPath =
    options.turnsFile ??
    (config.telemetry.turnsFile === undefined ? defaultTurnsFile() : (config.telemetry.turnsFile ?? undefined));
  const from =
    options.from ?? (options.store ? "store" : options.turnsFile ? "turns-file" : storeExists ? "store" : "turns-file");
  if (from === "store") {
    if (!store) throw new Error("the turn store is off (store.path is null); pass --store <file or postgres:// URL>");
    if (!storeExists) throw new Error(`no turn store at ${describeStoreLocation(store)}`);
    return { kind: "store", location: store };
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
    .option("--store <file or url>", "read this SQLite file or postgres:// database instead of the configured store")
    .option("--turns-file <file>", "read this JSONL file of turn records instead of the configured one")
    .action(async (options: ReportOptions) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const chosen = chooseSource(config, options);
      if (chosen.kind === "turns-file") {
        process.stderr.write(`switchyard report: turns from the JSONL file ${chosen.path}\n`);
        return printReport(new JsonlTurnSource(chosen.path), options, chosen.path);
      }
      const where = describeStoreLocation(chosen.location);
      process.stderr.write(`switchyard report: turns from the store ${where}\n`);
      // Pruning is the gateway's job: a report only reads.
      const store = await openTurnStore(chosen.location, { retentionDays: 0 });
      try {
        await printReport(store, options, where);
      } finally {
        await store.close();
      }
    });
}
