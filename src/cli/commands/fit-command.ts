import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { locateEngine } from "../../engine/engine-locate.js";
import { formatBytes, formatTokens } from "../../fit/byte-sizes.js";
import { type FitPlan, formatDeviceLine, planFit, smallestCpuMoe } from "../../fit/fit-plan.js";
import { type FitCliOptions, type ParsedFitOptions, parseFitOptions } from "../../fit/fit-request.js";
import { measurePlan } from "../../fit/measure-plan.js";
import { readModelHparams } from "../../fit/model-hparams.js";
import { loadModelHeaders, type NamedHeader } from "../../fit/model-source.js";
import { searchCpuMoe, simulatedLauncher } from "../../fit/moe-search.js";
import { contextSweep, cpuMoeSweep, sweepContexts } from "../../fit/plan-sweep.js";
import { type FitPicture, renderFitHtml } from "./fit-html.js";

const out = (line = "") => process.stdout.write(`${line}\n`);

function addFitOptions(command: Command): Command {
  return command
    .option("--ctx <list>", "contexts to plan, e.g. 32k,64k,128k or max (default 32k)")
    .option("--parallel <n>", "slots (-np), default 1")
    .option("--ctk <type>", "K cache type: f16, q8_0, q4_0… (default f16)")
    .option("--ctv <type>", "V cache type (default f16)")
    .option("--ubatch <n>", "micro-batch (-ub), default 512")
    .option("--swa-full", "full-size cache on sliding-window layers")
    .option("--kv-unified", "one KV buffer shared by all slots (default: on for one slot, off for several)")
    .option("--gpu <sizes>", "GPU memory per device, e.g. 24GiB or 24GiB,24GiB (default: detected)")
    .option("--ram <size>", "host memory for what stays on the host (default: detected)")
    .option("--unified <size>", "unified memory (Apple Silicon) instead of GPU + RAM")
    .option("--margin <size>", "left free on each device (default 1GiB)")
    .option("--cpu-moe <n>", "--n-cpu-moe: experts of the first N blocks on the host")
    .option("--json", "print JSON");
}

function planSummary(plan: FitPlan) {
  return {
    architecture: plan.architecture,
    context: plan.context,
    parallel: plan.parallel,
    cpuMoeLayers: plan.cpuMoeLayers,
    fits: plan.fits,
    maxContext: plan.maxContext,
    bytes: {
      weights: plan.estimate.weightsBytes,
      hostExperts: plan.estimate.hostExpertBytes,
      kv: plan.estimate.kvBytes,
      state: plan.estimate.stateBytes,
      compute: plan.estimate.computeBytes,
    },
    devices: plan.devices.map((device) => ({
      name: device.device.name,
      kind: device.device.kind,
      capacity: device.device.bytes,
      weights: device.weightsBytes,
      kvState: device.kvStateBytes,
      compute: device.computeBytes,
      margin: device.marginBytes,
      used: device.usedBytes,
      fits: device.fits,
    })),
    flags: plan.flags,
    inputs: plan.inputs,
  };
}

function planLines(label: string, plan: FitPlan): string[] {
  return [
    `${label} @${formatTokens(plan.context)}×${plan.parallel}: ${plan.fits ? "fits" : "does not fit"}`,
    ...plan.devices.map((device) => `  ${formatDeviceLine(plan, device)}`),
    ...plan.inputs.map((input) => `  · ${input}`),
    `  largest context that fits: ${plan.maxContext > 0 ? `${plan.maxContext} (${formatTokens(plan.maxContext)})` : "none"}`,
    `  llama-server ${plan.flags.join(" ")}`,
  ];
}

function printPlan(label: string, plan: FitPlan): void {
  for (const line of planLines(label, plan)) out(line);
}

/** Writes the HTML picture of the first model's plans: memory by part per context and per --n-cpu-moe. */
function writeFitHtml(file: string, named: NamedHeader, plans: FitPlan[], base: ParsedFitOptions["base"]) {
  const model = readModelHparams(named.header.metadata);
  const tensors = named.header.tensors;
  const first = plans[0];
  if (!first) return;
  const request = { ...base, context: first.context };
  const planned = plans.flatMap((plan) => [plan.context, plan.maxContext]);
  const hasGpu = base.devices.some((device) => device.kind === "gpu");
  const picture: FitPicture = {
    label: named.label,
    plans,
    summary: plans.flatMap((plan) => planLines(named.label, plan)),
    contexts: contextSweep(model, tensors, request, sweepContexts(model, base.parallel, planned)),
    ...(model.expertCount > 0 && hasGpu
      ? { cpuMoe: { context: first.context, points: cpuMoeSweep(model, tensors, request, first.context) } }
      : {}),
  };
  writeFileSync(file, renderFitHtml(picture));
  process.stderr.write(`wrote ${file}\n`);
}

function plansFor(named: NamedHeader, parsed: Awaited<ReturnType<typeof parseFitOptions>>): FitPlan[] {
  const model = readModelHparams(named.header.metadata);
  return parsed.contexts.map((context) => planFit(model, named.header.tensors, { ...parsed.base, context }));
}

export function registerFitCommands(program: Command): void {
  const fit = program
    .command("fit")
    .description("which context, cache type and offload fit this machine: weights + KV + compute + margin per device");
  // `switchyard fit MODEL` is `fit plan MODEL`: a default subcommand keeps each subcommand's options its own.
  addFitOptions(
    fit
      .command("plan", { isDefault: true })
      .description("plan one model (the default: `switchyard fit MODEL`)")
      .argument("<model>", "a GGUF file, a copied GGUF header, or hf:ORG/REPO[:QUANT]")
      .option("--measure", "also run the engine's own dry run (llama-server --fit) and print both")
      .option("--html <file>", "write a self-contained HTML picture: memory by part per context and per --n-cpu-moe"),
  ).action(async (spec: string, options: FitCliOptions & { json?: boolean; measure?: boolean; html?: string }) => {
    const parsed = await parseFitOptions(options);
    const headers = await loadModelHeaders(spec);
    const results = [];
    for (const [index, named] of headers.entries()) {
      const plans = plansFor(named, parsed);
      if (options.html && index === 0) writeFitHtml(options.html, named, plans, parsed.base);
      for (const plan of plans) {
        const measured =
          options.measure && named.localPath
            ? await measurePlan(plan, { llamaServer: await llamaServerPath(program), model: named.localPath })
            : undefined;
        if (options.measure && !named.localPath) throw new Error("--measure needs a local GGUF (pull it first)");
        results.push({ model: named.label, ...planSummary(plan), ...(measured ? { measured } : {}) });
        if (options.json) continue;
        printPlan(named.label, plan);
        for (const row of measured ?? []) {
          out(
            `  measured ${row.name}: estimate ${row.estimateMib.toFixed(2)} MiB, engine ${row.engineMib.toFixed(2)} MiB (${(row.error * 100).toFixed(2)} %)`,
          );
        }
      }
    }
    if (options.json) out(JSON.stringify({ notes: parsed.notes, plans: results }, null, 2));
    else out(parsed.notes.map((note) => `(${note})`).join(" "));
  });

  addFitOptions(
    fit
      .command("compare")
      .description("rank models, quants and contexts for this machine")
      .argument("<models...>", "GGUF files or hf:ORG/REPO[:QUANT] (every quant when none is named)"),
  ).action(async (specs: string[], options: FitCliOptions & { json?: boolean }) => {
    const parsed = await parseFitOptions(options);
    const rows = [];
    for (const spec of specs) {
      for (const named of await loadModelHeaders(spec)) {
        for (const plan of plansFor(named, parsed)) rows.push({ model: named.label, plan });
      }
    }
    // Fitting first, then the most context, then the smallest weights.
    rows.sort(
      (a, b) =>
        Number(b.plan.fits) - Number(a.plan.fits) ||
        b.plan.maxContext - a.plan.maxContext ||
        a.plan.estimate.weightsBytes - b.plan.estimate.weightsBytes,
    );
    if (options.json) {
      out(
        JSON.stringify(
          rows.map((row) => ({ model: row.model, ...planSummary(row.plan) })),
          null,
          2,
        ),
      );
      return;
    }
    out("rank | model | ctx×np | weights | KV+state | verdict | largest context");
    rows.forEach((row, index) => {
      const { plan } = row;
      out(
        `${index + 1} | ${row.model} | ${formatTokens(plan.context)}×${plan.parallel} | ${formatBytes(plan.estimate.weightsBytes)} | ` +
          `${formatBytes(plan.estimate.kvBytes + plan.estimate.stateBytes)} | ${plan.fits ? "fits" : "does not fit"} | ${formatTokens(plan.maxContext)}`,
      );
    });
  });

  addFitOptions(
    fit
      .command("moe")
      .description("the smallest --n-cpu-moe that fits; --search compares N_min…N_min+2 under load")
      .argument("<model>", "a GGUF file or hf:ORG/REPO:QUANT")
      .option(
        "--search",
        "launch candidates and keep the fastest that survives (simulated on a machine without the GPU)",
      ),
  ).action(async (spec: string, options: FitCliOptions & { json?: boolean; search?: boolean }) => {
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
    const search = options.search
      ? await searchCpuMoe(smallest, model.layers, simulatedLauncher(model, named.header.tensors, request))
      : undefined;
    if (options.json) {
      out(
        JSON.stringify(
          {
            model: named.label,
            smallest,
            plan: planSummary(plan),
            ...(search ? { search: { simulated: true, ...search } } : {}),
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
      out("  --search ran on a simulated device (memory model + a bandwidth timing model), not real launches:");
      for (const launch of search.launches) {
        out(
          `    N=${launch.cpuMoeLayers}: ${launch.outOfMemory ? "out of memory" : `${launch.decodeTokensPerSecond.toFixed(1)} tok/s`}, GPU ${formatBytes(launch.gpuBytes)}, host ${formatBytes(launch.hostBytes)}`,
        );
      }
      out(`  chosen: ${search.chosen ? `--n-cpu-moe ${search.chosen.cpuMoeLayers}` : "none survived"}`);
    }
  });
}

async function llamaServerPath(program: Command): Promise<string> {
  const config = loadConfig(program.opts<{ config?: string }>().config);
  const engine = await locateEngine(config);
  if (!engine) throw new Error("--measure needs llama-server: run `switchyard engine install` first");
  return engine.path;
}
