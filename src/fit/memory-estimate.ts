import { computeBufferBytes } from "./compute-size.js";
import type { ContextOptions } from "./context-layout.js";
import { type CacheTypes, type KvCacheSize, kvCacheSize } from "./kv-cache-size.js";
import type { ModelHparams } from "./model-hparams.js";
import { type TensorInfo, weightsSize } from "./weights-size.js";

export interface EstimateOptions extends ContextOptions {
  cache: CacheTypes;
  /** --n-cpu-moe: expert tensors of blocks 0 … N−1 stay on the host. */
  cpuMoeLayers: number;
}

/** The four numbers, in bytes: weights, KV cache + recurrent state, compute buffer (margin is the caller's). */
export interface MemoryEstimate {
  weightsBytes: number;
  /** Of weightsBytes, what --n-cpu-moe keeps on the host. */
  hostExpertBytes: number;
  hostExpertTensors: string[];
  kvBytes: number;
  stateBytes: number;
  computeBytes: number;
  kv: KvCacheSize;
}

export function estimateMemory(
  model: ModelHparams,
  tensors: readonly TensorInfo[],
  options: EstimateOptions,
): MemoryEstimate {
  const kv = kvCacheSize(model, options, options.cache);
  const weights = weightsSize(tensors, options.cpuMoeLayers);
  return {
    weightsBytes: weights.totalBytes,
    hostExpertBytes: weights.hostExpertBytes,
    hostExpertTensors: weights.hostExpertTensors,
    kvBytes: kv.fullBytes + kv.swaBytes,
    stateBytes: kv.stateBytes,
    computeBytes: computeBufferBytes(model, kv, options.ubatch),
    kv,
  };
}
