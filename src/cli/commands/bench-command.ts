import { type Command, Option } from "commander";
import { type BenchTarget, resolveTarget, switchyardLocalBackends } from "../../bench/bench-target.js";
import { previewCost } from "../../bench/cost-preview.js";
import { formatPreflight } from "../../bench/format-preflight.js";
import type { Wire } from "../../bench/measure-stream.js";
import { parseDepths, parseDuration } from "../../bench/parse-bench-options.js";
import { type PreflightOptions, runPreflight } from "../../bench/preflight.js";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { interruptSignal } from "./bench-interrupt.js";
import { writeBenchFiles } from "./bench-output.js";
import { progressPrinter } from "./bench-progress.js";
import { registerBenchReplayCommand } from "./bench-replay-command.js";
import { registerBenchSweepCommand } from "./bench-sweep-command.js";

interface PreflightCliOptions {
  url: string;
  direct?: boolean;
  depths: string;
  reps: string;
  warmAppend: string;
  maxTokens: string;
  minDecode: string;
  budget: string;
  seed: string;
  model?: string;
  wire?: Wire;
  yes?: boolean;
  json?: string;
  html?: string;
}

const count = (text: string, name: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, not "${text}"`);
  return value;
};

async function targetsFor(
  specs: string[],
  options: PreflightCliOptions,
  configFile: string | undefined,
  signal: AbortSignal,
) {
  const config = loadConfig(configFile);
  const switchyardApiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
  const resolveOptions = { model: options.model, wire: options.wire, signal, switchyardApiKey };
  const targets: BenchTarget[] = [];
  for (const spec of specs.length > 0 ? specs : [options.url]) {
    const target = await resolveTarget(spec, config, resolveOptions);
    targets.push(target);
    if (options.direct && target.kind === "switchyard")
      for (const url of await switchyardLocalBackends(target.baseUrl, signal)) {
        const direct = await resolveTarget(url, config, { ...resolveOptions, model: undefined, wire: undefined });
        targets.push({ ...direct, name: `${direct.kind} (direct)` });
      }
  }
  return targets;
}

export function registerBenchCommand(program: Command): Command {
  const bench = program
    .command("bench")
    .description("pre-flight check: time to first token cold and warm, prefill and decode speed, reuse, overhead")
    .argument("[targets...]", "configured backend names or URLs (default: the running Switchyard at --url)")
    .option("--url <url>", "the Switchyard to measure when no target is named", `http://127.0.0.1:${DEFAULT_PORT}`)
    .option("--direct", "also measure the backends behind the Switchyard, straight (the difference is its overhead)")
    .option("--depths <list>", "prompt depths in tokens (k = 1024)", "0,8k,32k,86k")
    .option("--reps <n>", "repetitions at each depth", "3")
    .option("--warm-append <tokens>", "tokens the warm request adds to the cold prompt", "64")
    .option("--max-tokens <n>", "tokens to generate per request", "64")
    .option("--min-decode <tok/s>", "the decode speed the verdict asks for", "40")
    .option("--budget <duration>", "stop starting requests after this long (0: no limit)", "60s")
    .option("--seed <n>", "seed of the filler text and the bootstrap", "1")
    .option("--model <name>", "model name to send (default: the target's first); for `bench sweep`, the GGUF file")
    .addOption(new Option("--wire <wire>", "wire to a Switchyard target").choices(["anthropic", "openai"]))
    .option("--yes", "measure cloud targets without asking (they cost money)")
    .option("--json <file>", "write the results as JSON")
    .option("--html <file>", "write a self-contained HTML report with charts")
    .action(async (specs: string[], options: PreflightCliOptions) => {
      const interrupt = interruptSignal();
      try {
        const targets = await targetsFor(specs, options, program.opts<{ config?: string }>().config, interrupt.signal);
        const budgetMs = parseDuration(options.budget);
        const preflight: PreflightOptions = {
          depths: parseDepths(options.depths),
          reps: Math.max(1, Math.round(count(options.reps, "--reps"))),
          warmAppend: count(options.warmAppend, "--warm-append"),
          maxTokens: Math.max(2, count(options.maxTokens, "--max-tokens")),
          minDecode: count(options.minDecode, "--min-decode"),
          maxWarmTtftMs: 1000,
          seed: count(options.seed, "--seed"),
          budgetMs: budgetMs > 0 ? budgetMs : undefined,
          signal: interrupt.signal,
        };
        const clouds = targets.filter((target) => !target.local);
        for (const cloud of clouds) {
          const preview = previewCost(cloud, preflight);
          process.stderr.write(
            `${cloud.name} is a cloud endpoint: at most ${preview.inputTokens} input and ${preview.outputTokens} output tokens${preview.usd === undefined ? " (no price known for its model)" : `, about $${preview.usd.toFixed(2)} uncached`}.\n`,
          );
        }
        if (clouds.length > 0 && !options.yes) throw new Error("pass --yes to measure cloud targets");
        const progress = progressPrinter();
        const report = await runPreflight(targets, { ...preflight, onProgress: progress.update });
        progress.done();
        process.stdout.write(`${formatPreflight(report)}\n`);
        writeBenchFiles(options, { preflight: report });
        if (report.stoppedBy === "interrupted") process.exitCode = 130;
      } finally {
        interrupt.dispose();
      }
    });
  registerBenchReplayCommand(bench, program);
  registerBenchSweepCommand(bench, program);
  return bench;
}
