import type { MoeLaunch, MoeLauncher } from "../fit/moe-search.js";
import type { PreflightOptions } from "./preflight.js";
import { runSweep } from "./sweep.js";

/** What llama.cpp and its backends print when an allocation fails (ggml-backend, CUDA, Metal, Vulkan, the OS). */
const OUT_OF_MEMORY =
  /out of memory|failed to allocate|unable to allocate|cudaMalloc failed|ErrorOutOfDeviceMemory|std::bad_alloc|insufficient memory/i;

export function isOutOfMemory(error: unknown): boolean {
  return OUT_OF_MEMORY.test(error instanceof Error ? error.message : String(error));
}

export interface MeasuredLauncherOptions extends Omit<PreflightOptions, "depths"> {
  binary: string;
  model: string;
  /** The plan's flags (context, slots, cache types, -ngl…): every launch gets them, then --n-cpu-moe N. */
  baseArgs: string[];
  /** Context filled before the decode is measured (`--load`). */
  load: number;
  readyTimeoutMs?: number;
  onLaunch?: (cpuMoeLayers: number, url: string) => void;
}

/**
 * `fit moe --search` for real: one llama-server per N (bench sweep's launch, one at a time so each has
 * the machine to itself), the context filled to the load depth with a cold and a warm request, decode
 * measured there. A launch or a run that fails for lack of memory is an out-of-memory result, which is
 * what the search bisects on; any other failure is thrown.
 */
export function measuredLauncher(options: MeasuredLauncherOptions): MoeLauncher {
  return async (cpuMoeLayers): Promise<MoeLaunch> => {
    try {
      const [row] = await runSweep(
        { name: "cpu-moe", argument: "--n-cpu-moe", values: [String(cpuMoeLayers)] },
        {
          ...options,
          depth: options.load,
          onLaunch: (_, url) => options.onLaunch?.(cpuMoeLayers, url),
        },
      );
      const target = row?.report.targets[0];
      const depth = target?.depths[0];
      return {
        cpuMoeLayers,
        outOfMemory: false,
        decodeTokensPerSecond: target?.verdict.decodeP50 ?? 0,
        ...(depth?.coldTtftMs ? { ttftMs: depth.coldTtftMs.median } : {}),
        ...(row?.peakRssBytes === undefined ? {} : { hostBytes: row.peakRssBytes }),
      };
    } catch (error) {
      if (!isOutOfMemory(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { cpuMoeLayers, outOfMemory: true, decodeTokensPerSecond: 0, error: message.split("\n")[0] ?? message };
    }
  };
}
