import { type Command, Option } from "commander";
import { serverRoot } from "../../backends/registry/backend-kind.js";
import { identifyServer } from "../../backends/registry/identify-server.js";
import { type BenchTarget, resolveTarget, switchyardLocalBackends } from "../../bench/bench-target.js";
import { formatReplay } from "../../bench/format-replay.js";
import { recordedDoor } from "../../bench/recorded-door.js";
import {
  clientSessions,
  type FixtureRequest,
  fixtureSessions,
  recordedClients,
  resolveSessionDirectory,
  sessionRequests,
} from "../../bench/recorded-sessions.js";
import { replaySessions } from "../../bench/replay-sessions.js";
import { loadConfig } from "../../config/load-config.js";
import { interruptSignal } from "./bench-interrupt.js";
import { writeBenchFiles } from "./bench-output.js";
import { readStoredSession } from "./bench-stored-session.js";

interface ReplayCliOptions {
  fixtures?: boolean | string;
  turns?: string;
  store?: boolean | string;
  session?: string;
  paceScale: string;
  url: string;
  target?: string;
  concurrency: string;
  pace: string;
  json?: string;
  html?: string;
  maxTokens: string;
}

/** The llama-server whose template counts the minimum: the target itself, or the one behind a gateway. */
async function rendererFor(target: BenchTarget, signal: AbortSignal): Promise<string | undefined> {
  if (target.kind === "llama-server") return target.baseUrl;
  if (target.kind !== "switchyard") return undefined;
  for (const url of await switchyardLocalBackends(target.baseUrl, signal))
    if ((await identifyServer(url)) === "llama-server") return serverRoot(url);
  return undefined;
}

export function registerBenchReplayCommand(bench: Command, program: Command): void {
  bench
    .command("replay")
    .description("replay recorded agent sessions against a target; per turn: minimum, prefilled, reused, why missed")
    .argument(
      "[sessions...]",
      "session directories, names of the recorded Claude Code fixtures, or paths below test/fixtures (codex/codex-0.171.0/tool-session)",
    )
    .option(
      "--fixtures [client]",
      `replay every recorded session of a client (${recordedClients().join(", ")}); alone: Claude Code 2.1.197's (${fixtureSessions().join(", ")})`,
    )
    .option(
      "--store [file]",
      "replay a session of the turn store (the configured one, or this SQLite file), by its shape",
    )
    .option("--turns <file|n>", "replay a session of this JSONL file of turn records; with --store, its first n turns")
    .option("--session <id>", "with --store or --turns FILE: the session (default: the newest)")
    .option("--target <target>", "replay against this configured backend or URL instead (straight to it)")
    .option("--concurrency <n>", "sessions replayed at once", "1")
    .addOption(
      new Option("--pace <pace>", "max: back to back; recorded: each turn after its recorded pause (stored sessions)")
        .choices(["max", "recorded"])
        .default("max"),
    )
    .option("--pace-scale <x>", "with --pace recorded: multiply the recorded pauses (0.1 = ten times faster)", "1")
    // `--url` (the Switchyard to replay through), `--json` (efficiency under `efficiency`) and `--html` are
    // bench's own options: commander hands an option both define to the parent.
    .action(async (specs: string[], replayOptions: Omit<ReplayCliOptions, "url" | "json">) => {
      const options: ReplayCliOptions = {
        ...replayOptions,
        ...bench.opts<{ url: string; json?: string; html?: string; maxTokens: string }>(),
      };
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const stored = options.store !== undefined || (options.turns !== undefined && !/^\d+$/.test(options.turns));
      let sessions: FixtureRequest[][];
      if (stored) {
        const session = await readStoredSession(config, options);
        process.stderr.write(
          `replaying ${session.id} from ${session.where}: ${session.requests.length} turns by their recorded shape (the store keeps no request bodies)\n`,
        );
        sessions = [session.requests];
      } else {
        if (options.pace === "recorded")
          throw new Error("--pace recorded needs request times, and recorded request folders carry none; use --store");
        const directories =
          typeof options.fixtures === "string"
            ? clientSessions(options.fixtures)
            : (options.fixtures ? fixtureSessions() : specs).map(resolveSessionDirectory);
        if (directories.length === 0) throw new Error("name a session directory, pass --fixtures, or --store");
        sessions = directories.map(sessionRequests);
      }
      const paceScale = Number(options.paceScale);
      if (!Number.isFinite(paceScale) || paceScale < 0)
        throw new Error(`--pace-scale must be ≥ 0, not "${options.paceScale}"`);
      const interrupt = interruptSignal();
      try {
        const switchyardApiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
        const target = await resolveTarget(options.target ?? options.url, config, {
          signal: interrupt.signal,
          switchyardApiKey,
        });
        // Switchyard and llama-server take all three doors; another server only requests of its own wire.
        const foreign = sessions.flat().find((request) => {
          const door = recordedDoor(request);
          return door && door.wire !== target.wire && target.kind !== "switchyard" && target.kind !== "llama-server";
        });
        if (foreign)
          throw new Error(
            `${target.name} (${target.kind}) speaks ${target.wire}; ${foreign.session}/${foreign.file} was sent to ${foreign.url}`,
          );
        const rendererUrl = await rendererFor(target, interrupt.signal);
        const report = await replaySessions(target, sessions, {
          concurrency: Math.max(1, Number(options.concurrency) || 1),
          rendererUrl,
          maxTokens: Math.max(1, Number(options.maxTokens) || 64),
          ...(options.pace === "recorded" ? { paceScale } : {}),
          signal: interrupt.signal,
          onTurn: (turn) =>
            process.stderr.write(`  ${turn.request} ${turn.status} prefilled ${turn.prefilled ?? "?"}\n`),
        });
        process.stdout.write(`${formatReplay(report)}\n`);
        writeBenchFiles(options, { replay: report });
      } finally {
        interrupt.dispose();
      }
    });
}
