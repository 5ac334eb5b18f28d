import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatSweep } from "../../bench/format-sweep.js";
import { parseDepths } from "../../bench/parse-bench-options.js";
import { parseFlagSweep, runSweep } from "../../bench/sweep.js";
import { loadConfig } from "../../config/load-config.js";
import { ensureEngine } from "../../engine/engine-locate.js";
import { takeGatewayEngine } from "./bench-engine-handover.js";
import { interruptSignal } from "./bench-interrupt.js";

interface SweepParentOptions {
  model?: string;
  reps: string;
  warmAppend: string;
  maxTokens: string;
  minDecode: string;
  seed: string;
  json?: string;
  url: string;
}

export function registerBenchSweepCommand(bench: Command, program: Command): void {
  bench
    .command("sweep")
    .description("launch llama-server once per value of a flag, load the context to a depth, measure each")
    .requiredOption("--flag <NAME=V1,V2|A..B>", "the llama-server flag and its values (ubatch, batch, threads, ctx, …)")
    .option("--depth <tokens>", "context to load (k = 1024)", "32k")
    // `--model FILE.gguf`, `--reps`, `--max-tokens`, `--json`, `--url` (the gateway whose engine is handed
    // over for the sweep and restored after it) are bench's own options: commander hands an
    // option both define to the parent.
    .action(async (options: { flag: string; depth: string }) => {
      const parent = bench.opts<SweepParentOptions>();
      if (!parent.model) throw new Error("bench sweep needs --model FILE.gguf");
      const sweep = parseFlagSweep(options.flag);
      const depth = parseDepths(options.depth)[0] as number;
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const engine = await ensureEngine(config, { report: say });
      // The gateway's engine would share the machine with each launch (on one GPU, neither fits): hand it over.
      const handover = await takeGatewayEngine(
        parent.url,
        process.env.SWITCHYARD_API_KEY || config.gateway.apiKey,
        say,
      );
      const interrupt = interruptSignal();
      try {
        const maxTokens = Math.max(2, Number(parent.maxTokens));
        const rows = await runSweep(sweep, {
          binary: engine.path,
          model: parent.model,
          baseArgs: [
            "--jinja",
            "--parallel",
            "1",
            "--ctx-size",
            String(depth + 2 * (Number(parent.warmAppend) + maxTokens) + 1024),
            "--no-webui",
          ],
          depth,
          reps: Math.max(1, Number(parent.reps)),
          warmAppend: Number(parent.warmAppend),
          maxTokens,
          minDecode: Number(parent.minDecode),
          maxWarmTtftMs: 1000,
          seed: Number(parent.seed),
          signal: interrupt.signal,
          readyTimeoutMs: 300_000,
          onLaunch: (value, url) => process.stderr.write(`llama-server ${sweep.argument} ${value} at ${url}\n`),
        });
        process.stdout.write(`${formatSweep(sweep, rows)}\n`);
        if (parent.json) {
          writeFileSync(parent.json, `${JSON.stringify({ flag: sweep, depth, rows }, null, 2)}\n`);
          process.stderr.write(`wrote ${parent.json}\n`);
        }
      } finally {
        interrupt.dispose();
        await handover?.restore();
      }
    });
}
