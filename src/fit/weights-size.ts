import { ggmlTensorBytes } from "../gguf/ggml-type-sizes.js";

export interface TensorInfo {
  name: string;
  /** ggml order: dims[0] is the innermost dimension. */
  dims: readonly number[];
  type: number;
}

/** CPU and mmap buffers align each tensor to 32 bytes (GGUF alignment, TENSOR_ALIGNMENT). */
const TENSOR_ALIGNMENT = 32;

export function paddedTensorBytes(tensor: TensorInfo, alignment = TENSOR_ALIGNMENT): number {
  return Math.ceil(ggmlTensorBytes(tensor.type, tensor.dims) / alignment) * alignment;
}

/**
 * The expert tensors `--n-cpu-moe N` keeps on the host: common.h's LLM_FFN_EXPS_REGEX
 * (`\.ffn_(up|down|gate|gate_up)_(ch|)exps`) for blocks 0 … N−1. Shared experts (`_shexp`) stay.
 */
const EXPERT_TENSOR = /^blk\.(\d+)\.ffn_(up|down|gate|gate_up)_(ch|)exps\b/;

export function isHostExpertTensor(name: string, cpuMoeLayers: number): boolean {
  const match = EXPERT_TENSOR.exec(name);
  return match !== null && Number(match[1]) < cpuMoeLayers;
}

export interface WeightsSplit {
  totalBytes: number;
  /** What stays on the host under --n-cpu-moe. */
  hostExpertBytes: number;
  hostExpertTensors: string[];
  /** Expert bytes per block, for planning N. */
  expertBytesByLayer: number[];
}

export function weightsSize(tensors: readonly TensorInfo[], cpuMoeLayers = 0): WeightsSplit {
  let totalBytes = 0;
  let hostExpertBytes = 0;
  const hostExpertTensors: string[] = [];
  const expertBytesByLayer: number[] = [];
  for (const tensor of tensors) {
    const bytes = paddedTensorBytes(tensor);
    totalBytes += bytes;
    const match = EXPERT_TENSOR.exec(tensor.name);
    if (!match) continue;
    const layer = Number(match[1]);
    expertBytesByLayer[layer] = (expertBytesByLayer[layer] ?? 0) + bytes;
    if (layer < cpuMoeLayers) {
      hostExpertBytes += bytes;
      hostExpertTensors.push(tensor.name);
    }
  }
  return {
    totalBytes,
    hostExpertBytes,
    hostExpertTensors,
    expertBytesByLayer: Array.from(expertBytesByLayer, (b) => b ?? 0),
  };
}
