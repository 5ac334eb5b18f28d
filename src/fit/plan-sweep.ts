import { type DevicePlan, type FitRequest, planAt } from "./fit-plan.js";
import type { ModelHparams } from "./model-hparams.js";
import type { TensorInfo } from "./weights-size.js";

/** One device's memory by part at one setting, bytes; KV and recurrent state split out of the device's share. */
export interface DeviceParts {
  name: string;
  kind: "gpu" | "host";
  capacity: number;
  weights: number;
  kv: number;
  state: number;
  compute: number;
  margin: number;
  used: number;
  fits: boolean;
}

export interface SweepPoint {
  /** The context (context sweep) or --n-cpu-moe (MoE sweep) of this point. */
  x: number;
  devices: DeviceParts[];
}

function partsOf(device: DevicePlan, kvBytes: number, stateBytes: number): DeviceParts {
  const kvShare = kvBytes + stateBytes > 0 ? kvBytes / (kvBytes + stateBytes) : 1;
  return {
    name: device.device.name,
    kind: device.device.kind,
    capacity: device.device.bytes,
    weights: device.weightsBytes,
    kv: device.kvStateBytes * kvShare,
    state: device.kvStateBytes * (1 - kvShare),
    compute: device.computeBytes,
    margin: device.marginBytes,
    used: device.usedBytes,
    fits: device.fits,
  };
}

function pointAt(model: ModelHparams, tensors: readonly TensorInfo[], request: FitRequest, context: number) {
  const plan = planAt(model, tensors, request, context);
  return plan.devices.map((device) => partsOf(device, plan.estimate.kvBytes, plan.estimate.stateBytes));
}

/**
 * Contexts worth drawing: powers of two from 4k up to the engine's ceiling (`n_ctx_train × slots`), with
 * the planned context and the largest that fits added, so the picture shows where the plan sits.
 */
export function sweepContexts(model: ModelHparams, parallel: number, planned: readonly number[]): number[] {
  const ceiling = model.contextTrain * parallel;
  const contexts = new Set<number>(planned.filter((context) => context > 0));
  for (let context = 4096; context <= Math.max(ceiling, 4096); context *= 2) contexts.add(context);
  return [...contexts].sort((a, b) => a - b);
}

/** Memory by part per device at each context, every other setting as requested. */
export function contextSweep(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  request: FitRequest,
  contexts: readonly number[],
): SweepPoint[] {
  return contexts.map((context) => ({ x: context, devices: pointAt(model, tensors, request, context) }));
}

/** Memory by part per device for --n-cpu-moe 0 … layers at one context. */
export function cpuMoeSweep(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  request: FitRequest,
  context: number,
): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (let layers = 0; layers <= model.layers; layers++)
    points.push({ x: layers, devices: pointAt(model, tensors, { ...request, cpuMoeLayers: layers }, context) });
  return points;
}
