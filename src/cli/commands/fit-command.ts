import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatBytes, formatTokens } from "../../fit/byte-sizes.js";
import { type FitPlan, planFit } from "../../fit/fit-plan.js";
import { type FitCliOptions, type ParsedFitOptions, parseFitOptions } from "../../fit/fit-request.js";
import { measurePlan } from "../../fit/measure-plan.js";
import { readModelHparams } from "../../fit/model-hparams.js";
import { loadModelHeaders, type NamedHeader } from "../../fit/model-source.js";
import { contextSweep, cpuMoeSweep, sweepContexts } from "../../fit/plan-sweep.js";
import { type FitPicture, renderFitHtml } from "./fit-html.js";
import { registerFitMoeCommand } from "./fit-moe-command.js";
import { addFitOptions, llamaServerPath, out, planLines, planSummary, printPlan } from "./fit-output.js";

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
  registerFitMoeCommand(fit, program);
}
