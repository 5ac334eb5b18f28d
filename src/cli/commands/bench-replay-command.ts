import type { Command } from "commander";
import { serverRoot } from "../../backends/registry/backend-kind.js";
import { identifyServer } from "../../backends/registry/identify-server.js";
import { type BenchTarget, resolveTarget, switchyardLocalBackends } from "../../bench/bench-target.js";
import { formatReplay } from "../../bench/format-replay.js";
import { fixtureSessions, resolveSessionDirectory, sessionRequests } from "../../bench/recorded-sessions.js";
import { replaySessions } from "../../bench/replay-sessions.js";
import { loadConfig } from "../../config/load-config.js";
import { interruptSignal } from "./bench-interrupt.js";
import { writeBenchFiles } from "./bench-output.js";

interface ReplayCliOptions {
  fixtures?: boolean;
  turns?: string;
  store?: boolean;
  session?: string;
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
    .argument("[sessions...]", "session directories, or names of the recorded fixtures")
    .option("--fixtures", `replay every recorded fixture session (${fixtureSessions().join(", ")})`)
    .option("--turns <file>", "replay the turn records in a JSONL file (not supported: see below)")
    .option("--store", "replay a session from the turn store (not supported: see below)")
    .option("--session <id>", "with --store: the session")
    .option("--target <target>", "replay against this configured backend or URL instead (straight to it)")
    .option("--concurrency <n>", "sessions replayed at once", "1")
    .option("--pace <pace>", "max (as fast as the target answers)", "max")
    // `--url` (the Switchyard to replay through), `--json` (efficiency under `efficiency`) and `--html` are
    // bench's own options: commander hands an option both define to the parent.
    .action(async (specs: string[], replayOptions: Omit<ReplayCliOptions, "url" | "json">) => {
      const options: ReplayCliOptions = {
        ...replayOptions,
        ...bench.opts<{ url: string; json?: string; html?: string; maxTokens: string }>(),
      };
      if (options.turns || options.store)
        throw new Error(
          "turn records keep what each turn cost, not the request it sent, so they cannot be replayed; replay a directory of recorded requests instead",
        );
      if (options.pace !== "max")
        throw new Error("--pace recorded needs request times, and the recordings carry none; use --pace max");
      const names = options.fixtures ? fixtureSessions() : specs;
      if (names.length === 0) throw new Error("name a session directory, or pass --fixtures");
      const sessions = names.map((name) => sessionRequests(resolveSessionDirectory(name)));
      const interrupt = interruptSignal();
      try {
        const config = loadConfig(program.opts<{ config?: string }>().config);
        const switchyardApiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
        const target = await resolveTarget(options.target ?? options.url, config, {
          signal: interrupt.signal,
          switchyardApiKey,
        });
        if (target.wire !== "anthropic" && target.kind !== "llama-server")
          throw new Error(
            `${target.name} (${target.kind}) has no Anthropic Messages route to replay Claude Code's requests on`,
          );
        const rendererUrl = await rendererFor(target, interrupt.signal);
        const report = await replaySessions(target, sessions, {
          concurrency: Math.max(1, Number(options.concurrency) || 1),
          rendererUrl,
          maxTokens: Math.max(1, Number(options.maxTokens) || 64),
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
