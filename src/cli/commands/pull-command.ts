import type { Command } from "commander";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { formatBytes } from "../../fit/byte-sizes.js";
import { type FitPlan, planFit } from "../../fit/fit-plan.js";
import { type FitCliOptions, parseFitOptions } from "../../fit/fit-request.js";
import { readModelHparams } from "../../fit/model-hparams.js";
import { loadModelHeaders } from "../../fit/model-source.js";
import { parseHfReference } from "../../pull/hf-reference.js";
import { HubClient } from "../../pull/hub-client.js";
import { type PulledModel, pullModel } from "../../pull/pull-model.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

/** A download progress line: live on a terminal, every 10 % otherwise. */
function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let lastStep = -1;
  return (received: number, total: number) => {
    const percent = total > 0 ? Math.floor((received / total) * 100) : 0;
    if (stream.isTTY) {
      const filled = Math.round((percent / 100) * 30);
      stream.write(
        `\r  [${"#".repeat(filled)}${" ".repeat(30 - filled)}] ${percent}% ${formatBytes(received)} / ${formatBytes(total)}`,
      );
      if (received >= total) stream.write("\n");
      return;
    }
    const step = Math.floor(percent / 10) * 10;
    if (step > lastStep) {
      lastStep = step;
      stream.write(`  ${percent}% ${formatBytes(received)} / ${formatBytes(total)}\n`);
    }
  };
}

export interface PullAndPlan {
  pulled: PulledModel;
  plan: FitPlan;
}

/**
 * Pulls `hf:ORG/REPO[:QUANT]` (with no QUANT: the largest quant `fit` says fits) and returns `fit`'s plan
 * for it at these options.
 */
export async function pullAndPlan(spec: string, options: FitCliOptions, signal?: AbortSignal): Promise<PullAndPlan> {
  const client = new HubClient();
  const reference = parseHfReference(spec);
  const parsed = await parseFitOptions(options);
  const context = parsed.contexts[0] ?? 32768;
  const headers = await loadModelHeaders(spec, client, signal);
  const plans = headers.map((named) => ({
    named,
    plan: planFit(readModelHparams(named.header.metadata), named.header.tensors, { ...parsed.base, context }),
  }));
  // Largest first: the best quant that fits (or, named, the one asked for).
  const ranked = [...plans].sort((a, b) => b.plan.estimate.weightsBytes - a.plan.estimate.weightsBytes);
  const chosen = reference.quant ? ranked[0] : ranked.find((entry) => entry.plan.fits);
  if (!chosen) {
    const smallest = ranked[ranked.length - 1];
    throw new Error(
      `no quant of ${reference.repo} fits this machine at ${context}${smallest ? ` (the smallest, ${smallest.named.label}, needs ${formatBytes(smallest.plan.devices[0]?.usedBytes ?? 0)})` : ""}; name one with hf:${reference.repo}:QUANT to pull it anyway`,
    );
  }
  const quant = chosen.named.label.split(":").pop() ?? "";
  if (!reference.quant)
    say(
      `choosing ${quant}: the largest quant of ${reference.repo} that fits (${chosen.plan.devices.map((d) => `${d.device.name} ${formatBytes(d.usedBytes)} / ${formatBytes(d.device.bytes)}`).join(", ")})`,
    );
  const pulled = await pullModel({
    client,
    reference: { ...reference, quant },
    onFile: (path, index, count) => say(`pulling ${path}${count > 1 ? ` (part ${index + 1} of ${count})` : ""}`),
    onProgress: progressPrinter(),
    ...(signal ? { signal } : {}),
  });
  return { pulled, plan: chosen.plan };
}

/**
 * The engine config `serve` launches with for a plan: the context and the cache, attention and offload
 * flags `fit` chose. Slots and the unified KV stay the agent defaults (agentEngineArgs).
 */
export function withPlanFlags(config: SwitchyardConfig, plan: FitPlan): SwitchyardConfig {
  const keep: string[] = [];
  for (let index = 0; index < plan.flags.length; index++) {
    const flag = plan.flags[index] ?? "";
    if (flag === "-kvu" || flag === "-no-kvu") continue;
    if (flag === "-c" || flag === "-np") {
      index++;
      continue;
    }
    keep.push(flag);
  }
  return {
    ...config,
    engine: { ...config.engine, contextSize: plan.context, extraArgs: [...config.engine.extraArgs, ...keep] },
  };
}

export function registerPullCommand(program: Command): void {
  program
    .command("pull")
    .description("download a GGUF from Hugging Face into the cache: resumable, sha256-verified, split files handled")
    .argument("<model>", "hf:ORG/REPO[:QUANT] (without QUANT: the largest that fits this machine)")
    .option("--ctx <tokens>", "context to fit when choosing a quant (default 32k)")
    .option("--parallel <n>", "slots to fit (default 1)")
    .option("--gpu <sizes>", "GPU memory per device (default: detected)")
    .option("--ram <size>", "host memory (default: detected)")
    .option("--unified <size>", "unified memory (Apple Silicon)")
    .option("--margin <size>", "left free on each device (default 1GiB)")
    .action(async (spec: string, options: FitCliOptions) => {
      const { pulled, plan } = await pullAndPlan(spec, options);
      say(
        `${pulled.verified ? "verified (sha256)" : "NOT verified: the hub gave no sha256"}${pulled.resumed ? ", resumed" : ""}`,
      );
      say(`fit: ${plan.fits ? "fits" : "does not fit"} at ${plan.context}; llama-server ${plan.flags.join(" ")}`);
      process.stdout.write(`${pulled.paths[0]}\n`);
    });
}
