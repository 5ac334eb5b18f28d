import type { Command } from "commander";
import { measuredLauncher } from "../../bench/moe-launcher.js";
import { applyFitToConfig } from "../../fit/apply-fit.js";
import { formatBytes, formatTokens, parseTokenCount } from "../../fit/byte-sizes.js";
import { type FitPlan, planFit, smallestCpuMoe } from "../../fit/fit-plan.js";
import { type FitCliOptions, parseFitOptions } from "../../fit/fit-request.js";
import { readModelHparams } from "../../fit/model-hparams.js";
import { loadModelHeaders } from "../../fit/model-source.js";
import { type MoeLauncher, searchCpuMoe, simulatedLauncher } from "../../fit/moe-search.js";
import { interruptSignal } from "./bench-interrupt.js";
import { addFitOptions, llamaServerPath, out, planSummary, printPlan } from "./fit-output.js";

interface MoeOptions extends FitCliOptions {
  json?: boolean;
  search?: boolean;
  simulate?: boolean;
  load?: string;
  apply?: boolean;
}

/** The plan's launch flags with its own --n-cpu-moe taken out: each search launch adds its N. */
function flagsWithoutCpuMoe(plan: FitPlan): string[] {
  const flags: string[] = [];
  for (let index = 0; index < plan.flags.length; index++) {
    if (plan.flags[index] === "--n-cpu-moe") index++;
    else flags.push(plan.flags[index] as string);
  }
  return flags;
}

const optionalBytes = (bytes: number | undefined) => (bytes === undefined ? "not measured" : formatBytes(bytes));

export function registerFitMoeCommand(fit: Command, program: Command): void {
  addFitOptions(
    fit
      .command("moe")
      .description("the smallest --n-cpu-moe that fits; --search launches N_min…N_min+2 under load, keeps the fastest")
      .argument("<model>", "a GGUF file or hf:ORG/REPO:QUANT")
      .option("--search", "launch llama-server at N_min, N_min+1, N_min+2 under load; keep the fastest that survives")
      .option("--load <tokens>", "context filled before decode is measured in --search (default 4k)")
      .option("--simulate", "search on a simulated device (memory model + timing model) instead of launching")
      .option("--apply", "write the chosen --n-cpu-moe and context to the config, where `serve` reads them"),
  ).action(async (spec: string, options: MoeOptions) => {
    const parsed = await parseFitOptions(options);
    const [named] = await loadModelHeaders(spec);
    if (!named) throw new Error(`nothing to plan for ${spec}`);
    const model = readModelHparams(named.header.metadata);
    if (model.expertCount === 0) throw new Error(`${named.label} is not a mixture-of-experts model`);
    const context = parsed.contexts[0] ?? 32768;
    const request = { ...parsed.base, context };
    const smallest = smallestCpuMoe(model, named.header.tensors, request);
    if (smallest === undefined) {
      throw new Error(
        `${named.label} does not fit at ${formatTokens(context === "max" ? model.contextTrain : context)} even with every expert on the host`,
      );
    }
    const plan = planFit(model, named.header.tensors, { ...request, cpuMoeLayers: smallest });
    const hasGpu = parsed.base.devices.some((device) => device.kind === "gpu");
    // A real search needs the weights on disk; an hf: header alone can only be simulated.
    const simulated = Boolean(options.simulate) || !named.localPath;
    const load = parseTokenCount(options.load ?? "4k");
    if (options.search && !simulated && load >= plan.context)
      throw new Error(
        `--load ${load} does not fit in the planned context ${plan.context}: raise --ctx or lower --load`,
      );
    const interrupt = interruptSignal();
    let search: Awaited<ReturnType<typeof searchCpuMoe>> | undefined;
    try {
      let launcher: MoeLauncher | undefined;
      if (options.search && simulated) launcher = simulatedLauncher(model, named.header.tensors, request);
      else if (options.search)
        launcher = measuredLauncher({
          binary: await llamaServerPath(program),
          model: named.localPath as string,
          baseArgs: ["--jinja", "--no-webui", ...flagsWithoutCpuMoe(plan)],
          load,
          reps: 1,
          warmAppend: 16,
          maxTokens: 32,
          minDecode: 0,
          maxWarmTtftMs: Number.MAX_SAFE_INTEGER,
          seed: 1,
          signal: interrupt.signal,
          readyTimeoutMs: 300_000,
          onLaunch: (layers, url) => process.stderr.write(`llama-server --n-cpu-moe ${layers} at ${url}\n`),
        });
      search = launcher ? await searchCpuMoe(smallest, model.layers, launcher) : undefined;
    } finally {
      interrupt.dispose();
    }
    const applied = options.apply
      ? { cpuMoeLayers: search ? (search.chosen?.cpuMoeLayers ?? smallest) : smallest, context: plan.context }
      : undefined;
    if (applied && search && !search.chosen) throw new Error("--apply: no launch survived, nothing to write");
    if (applied) applyFitToConfig(applied, program.opts<{ config?: string }>().config);
    if (options.json) {
      out(
        JSON.stringify(
          {
            model: named.label,
            smallest,
            plan: planSummary(plan),
            ...(search ? { search: { simulated, load: simulated ? undefined : load, ...search } } : {}),
            ...(applied ? { applied } : {}),
          },
          null,
          2,
        ),
      );
      return;
    }
    out(
      `${named.label}: smallest --n-cpu-moe that fits is ${smallest}${hasGpu ? "" : " (no GPU given: everything is on one device)"}`,
    );
    printPlan(named.label, plan);
    if (search) {
      out(
        simulated
          ? "  --search ran on a simulated device (memory model + a bandwidth timing model), not real launches:"
          : `  --search launched llama-server per N, context filled to ${formatTokens(load)} tokens, decode measured there:`,
      );
      for (const launch of search.launches) {
        const speed = launch.outOfMemory
          ? `out of memory${launch.error ? ` (${launch.error})` : ""}`
          : `${launch.decodeTokensPerSecond.toFixed(1)} tok/s${launch.ttftMs === undefined ? "" : `, first token ${launch.ttftMs.toFixed(0)} ms`}`;
        out(
          `    N=${launch.cpuMoeLayers}: ${speed}, GPU ${optionalBytes(launch.gpuBytes)}, host ${optionalBytes(launch.hostBytes)}`,
        );
      }
      out(`  chosen: ${search.chosen ? `--n-cpu-moe ${search.chosen.cpuMoeLayers}` : "none survived"}`);
    }
    if (applied)
      out(`  applied: --n-cpu-moe ${applied.cpuMoeLayers}, context ${applied.context} written to the config`);
  });
}
