import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { locateEngine } from "../../engine/engine-locate.js";
import { formatTokens } from "../../fit/byte-sizes.js";
import { type FitPlan, formatDeviceLine } from "../../fit/fit-plan.js";

export const out = (line = "") => process.stdout.write(`${line}\n`);

export function addFitOptions(command: Command): Command {
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

export function planSummary(plan: FitPlan) {
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

export function planLines(label: string, plan: FitPlan): string[] {
  return [
    `${label} @${formatTokens(plan.context)}×${plan.parallel}: ${plan.fits ? "fits" : "does not fit"}`,
    ...plan.devices.map((device) => `  ${formatDeviceLine(plan, device)}`),
    ...plan.inputs.map((input) => `  · ${input}`),
    `  largest context that fits: ${plan.maxContext > 0 ? `${plan.maxContext} (${formatTokens(plan.maxContext)})` : "none"}`,
    `  llama-server ${plan.flags.join(" ")}`,
  ];
}

export function printPlan(label: string, plan: FitPlan): void {
  for (const line of planLines(label, plan)) out(line);
}

export async function llamaServerPath(program: Command): Promise<string> {
  const config = loadConfig(program.opts<{ config?: string }>().config);
  const engine = await locateEngine(config);
  if (!engine) throw new Error("--measure and --search need llama-server: run `switchyard engine install` first");
  return engine.path;
}
