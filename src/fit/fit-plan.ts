import { formatBytes, formatTokens, MIB } from "./byte-sizes.js";
import { type EstimateOptions, estimateMemory, type MemoryEstimate } from "./memory-estimate.js";
import type { ModelHparams } from "./model-hparams.js";
import type { TensorInfo } from "./weights-size.js";

export interface MemoryDevice {
  name: string;
  /** gpu: weights, KV and compute go here; host: what --n-cpu-moe keeps back, or everything when there is no GPU. */
  kind: "gpu" | "host";
  bytes: number;
}

export interface FitRequest extends Omit<EstimateOptions, "context"> {
  context: number | "max";
  devices: MemoryDevice[];
  /** Left free on every device. */
  marginBytes: number;
}

export interface DevicePlan {
  device: MemoryDevice;
  weightsBytes: number;
  kvStateBytes: number;
  computeBytes: number;
  marginBytes: number;
  usedBytes: number;
  fits: boolean;
}

export interface FitPlan {
  architecture: string;
  context: number;
  parallel: number;
  cpuMoeLayers: number;
  estimate: MemoryEstimate;
  devices: DevicePlan[];
  fits: boolean;
  /** The largest context that fits with these settings, a multiple of 256·streams; 0 when none does. */
  maxContext: number;
  flags: string[];
  /** The inputs of each formula, in words. */
  inputs: string[];
}

/** Splits the estimate over the devices: GPUs share it by capacity, the host keeps held-back experts. */
function placeOnDevices(estimate: MemoryEstimate, devices: readonly MemoryDevice[], margin: number): DevicePlan[] {
  const gpus = devices.filter((device) => device.kind === "gpu");
  const gpuCapacity = gpus.reduce((sum, device) => sum + device.bytes, 0);
  const kvState = estimate.kvBytes + estimate.stateBytes;
  return devices.map((device) => {
    let weightsBytes: number;
    let kvStateBytes: number;
    let computeBytes: number;
    if (gpus.length === 0) {
      weightsBytes = estimate.weightsBytes;
      kvStateBytes = kvState;
      computeBytes = estimate.computeBytes;
    } else if (device.kind === "gpu") {
      // llama.cpp's default split: layers in proportion to each device's memory.
      const share = device.bytes / gpuCapacity;
      weightsBytes = (estimate.weightsBytes - estimate.hostExpertBytes) * share;
      kvStateBytes = kvState * share;
      computeBytes = estimate.computeBytes;
    } else {
      weightsBytes = estimate.hostExpertBytes;
      kvStateBytes = 0;
      computeBytes = 0;
    }
    const usedBytes = weightsBytes + kvStateBytes + computeBytes + margin;
    return {
      device,
      weightsBytes,
      kvStateBytes,
      computeBytes,
      marginBytes: margin,
      usedBytes,
      fits: usedBytes <= device.bytes,
    };
  });
}

/** The estimate placed on the devices at one context, without the search for the largest context. */
export function planAt(model: ModelHparams, tensors: readonly TensorInfo[], request: FitRequest, context: number) {
  const estimate = estimateMemory(model, tensors, { ...request, context });
  const devices = placeOnDevices(estimate, request.devices, request.marginBytes);
  return { estimate, devices, fits: devices.every((device) => device.fits) };
}

/** The largest context, in steps of 256·streams, at which every device still fits. */
export function largestFittingContext(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  request: FitRequest,
): number {
  const streams = request.unified ? 1 : request.parallel;
  const step = 256 * streams;
  const ceiling = Math.floor((model.contextTrain * request.parallel) / step);
  let low = 0;
  let high = ceiling;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (planAt(model, tensors, request, middle * step).fits) low = middle;
    else high = middle - 1;
  }
  return low * step;
}

function launchFlags(request: FitRequest, context: number): string[] {
  const quantizedV = request.cache.v !== "f16" && request.cache.v !== "bf16" && request.cache.v !== "f32";
  const hasGpu = request.devices.some((device) => device.kind === "gpu");
  const flags = ["-c", String(context), "-np", String(request.parallel)];
  flags.push("-ctk", request.cache.k, "-ctv", request.cache.v);
  // A quantized V cache needs flash attention (llama-context.cpp refuses it otherwise).
  flags.push("-fa", quantizedV ? "on" : "auto");
  flags.push("-ngl", hasGpu ? "999" : "0");
  if (request.cpuMoeLayers > 0) flags.push("--n-cpu-moe", String(request.cpuMoeLayers));
  flags.push(request.unified ? "-kvu" : "-no-kvu");
  if (request.swaFull) flags.push("--swa-full");
  if (request.ubatch !== 512) flags.push("-ub", String(request.ubatch));
  return flags;
}

function describeInputs(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  plan: ReturnType<typeof planAt>,
): string[] {
  const { kv } = plan.estimate;
  const { layout } = kv;
  const lines = [
    `context: n_ctx' = pad256 → ${layout.paddedContext}; ${layout.streams} stream${layout.streams > 1 ? "s" : ""} of ${layout.cells} cells`,
  ];
  const kvLayers = kv.fullLayers + kv.swaLayers;
  if (model.mla) {
    lines.push(
      `MLA: ${kvLayers} of ${model.layers} layers hold K only, ${model.mla.kvLoraRank} + ${model.mla.ropeDimensions} values per cell`,
    );
  } else {
    lines.push(
      `KV: ${kvLayers} of ${model.layers} layers hold KV; ${formatBytes(kv.bytesPerCell)} per cell over all of them (K ${model.keyLength}, V ${model.valueLength} per head)`,
    );
  }
  if (kv.swaLayers > 0) {
    lines.push(
      `SWA: ${kv.swaLayers} layers on a window of ${model.slidingWindow} hold ${layout.swaCells} cells each; ${kv.fullLayers} full-attention layers hold ${layout.cells}`,
    );
  }
  if (kv.recurrentLayers > 0) {
    lines.push(`${kv.recurrentLayers} recurrent layers hold ${(kv.stateBytesPerSlot / MIB).toFixed(1)} MiB per slot`);
  }
  lines.push(`weights: ${tensors.length} tensors, padded sizes sum to ${formatBytes(plan.estimate.weightsBytes)}`);
  if (plan.estimate.hostExpertTensors.length > 0) {
    lines.push(
      `--n-cpu-moe keeps ${plan.estimate.hostExpertTensors.length} expert tensors (${formatBytes(plan.estimate.hostExpertBytes)}) on the host`,
    );
  }
  lines.push("compute: an estimate (attention mask + one micro-batch of activations); --measure asks the engine");
  return lines;
}

export function planFit(model: ModelHparams, tensors: readonly TensorInfo[], request: FitRequest): FitPlan {
  const maxContext = largestFittingContext(model, tensors, request);
  const context = request.context === "max" ? Math.max(maxContext, 256) : request.context;
  const plan = planAt(model, tensors, request, context);
  return {
    architecture: model.architecture,
    context,
    parallel: request.parallel,
    cpuMoeLayers: request.cpuMoeLayers,
    estimate: plan.estimate,
    devices: plan.devices,
    fits: plan.fits,
    maxContext,
    flags: launchFlags(request, context),
    inputs: describeInputs(model, tensors, plan),
  };
}

/** The smallest --n-cpu-moe that makes the plan fit, or undefined when none does. */
export function smallestCpuMoe(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  request: FitRequest,
): number | undefined {
  const context = request.context === "max" ? model.contextTrain : request.context;
  for (let layers = 0; layers <= model.layers; layers++) {
    if (planAt(model, tensors, { ...request, cpuMoeLayers: layers }, context).fits) return layers;
  }
  return undefined;
}

/** One line per device: the four numbers and the verdict. */
export function formatDeviceLine(plan: FitPlan, device: DevicePlan): string {
  const kvLabel = `KV+state ${formatBytes(device.kvStateBytes)} @${formatTokens(plan.context)}×${plan.parallel}`;
  return (
    `${device.device.name}: weights ${formatBytes(device.weightsBytes)} | ${kvLabel} | compute ${formatBytes(device.computeBytes)}` +
    ` | margin ${formatBytes(device.marginBytes)} → ${formatBytes(device.usedBytes)} / ${formatBytes(device.device.bytes)}` +
    ` ${device.fits ? "fits" : "does not fit"}`
  );
}
