import { type FitRequest, planFit } from "./fit-plan.js";
import type { ModelHparams } from "./model-hparams.js";
import { type TensorInfo, weightsSize } from "./weights-size.js";

export interface MoeLaunch {
  cpuMoeLayers: number;
  outOfMemory: boolean;
  /** Undefined where it was not measured (no GPU, or a GPU whose use this build cannot read). */
  gpuBytes?: number;
  hostBytes?: number;
  decodeTokensPerSecond: number;
  /** Time to first token of the request that filled the context to the load depth. */
  ttftMs?: number;
  /** Why the launch failed, when it ran out of memory. */
  error?: string;
}

export type MoeLauncher = (cpuMoeLayers: number) => Promise<MoeLaunch>;

export interface MoeSearchResult {
  chosen?: MoeLaunch;
  launches: MoeLaunch[];
}

/**
 * `fit moe --search`: launch N_min, N_min+1 and N_min+2 under load and keep the fastest that did not
 * run out of memory; only when N_min fails does it bisect upward for the smallest N that survives.
 */
export async function searchCpuMoe(smallest: number, largest: number, launch: MoeLauncher): Promise<MoeSearchResult> {
  const launches: MoeLaunch[] = [];
  const tried = new Map<number, MoeLaunch>();
  const run = async (layers: number) => {
    const known = tried.get(layers);
    if (known) return known;
    const result = await launch(layers);
    tried.set(layers, result);
    launches.push(result);
    return result;
  };
  let start = smallest;
  if ((await run(start)).outOfMemory) {
    let low = start + 1;
    let high = largest;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if ((await run(middle)).outOfMemory) low = middle + 1;
      else high = middle;
    }
    start = low;
  }
  for (let layers = start; layers <= Math.min(start + 2, largest); layers++) await run(layers);
  const survivors = launches.filter((result) => !result.outOfMemory);
  const chosen = survivors.sort((a, b) => b.decodeTokensPerSecond - a.decodeTokensPerSecond)[0];
  return { ...(chosen ? { chosen } : {}), launches };
}

/** Memory bandwidths of the simulated device (a 24 GiB-class GPU, dual-channel DDR5 host), bytes/s. */
const SIMULATED_GPU_BANDWIDTH = 900e9;
const SIMULATED_HOST_BANDWIDTH = 60e9;

/**
 * A launcher for machines without the GPU: memory from the model (out of memory when the plan does
 * not fit), decode speed from the bytes each token reads (all non-expert weights, the used share of
 * the experts) over each side's bandwidth. Says nothing a real launch would not; it lets the search
 * logic run, and is labelled simulated wherever it is shown.
 */
export function simulatedLauncher(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  request: FitRequest,
): MoeLauncher {
  return async (cpuMoeLayers) => {
    const plan = planFit(model, tensors, { ...request, cpuMoeLayers });
    const split = weightsSize(tensors, cpuMoeLayers);
    const expertBytes = split.expertBytesByLayer.reduce((sum, bytes) => sum + bytes, 0);
    const usedShare = model.expertCount > 0 ? model.expertUsed / model.expertCount : 1;
    const denseBytes = split.totalBytes - expertBytes;
    const hostRead = split.hostExpertBytes * usedShare;
    const gpuRead = denseBytes + (expertBytes - split.hostExpertBytes) * usedShare + plan.estimate.kvBytes;
    const seconds = gpuRead / SIMULATED_GPU_BANDWIDTH + hostRead / SIMULATED_HOST_BANDWIDTH;
    const gpu = plan.devices.filter((device) => device.device.kind === "gpu");
    const host = plan.devices.filter((device) => device.device.kind === "host");
    return {
      cpuMoeLayers,
      outOfMemory: !plan.fits,
      gpuBytes: gpu.reduce((sum, device) => sum + device.usedBytes, 0),
      hostBytes: host.reduce((sum, device) => sum + device.usedBytes, 0),
      decodeTokensPerSecond: 1 / seconds,
    };
  };
}
