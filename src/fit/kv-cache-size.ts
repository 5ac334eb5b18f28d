import { ggmlRowBytes, ggmlTypeByName } from "../gguf/ggml-type-sizes.js";
import { type ContextLayout, type ContextOptions, contextLayout } from "./context-layout.js";
import type { ModelHparams } from "./model-hparams.js";

export interface CacheTypes {
  /** -ctk / -ctv: f16, q8_0, q4_0, … */
  k: string;
  v: string;
}

export interface KvCacheSize {
  layout: ContextLayout;
  /** K and V of the full-attention layers, and of the sliding-window layers. */
  fullBytes: number;
  swaBytes: number;
  /** Recurrent state of all slots (hybrids). */
  stateBytes: number;
  fullLayers: number;
  swaLayers: number;
  recurrentLayers: number;
  /** One slot's recurrent state over all recurrent layers. */
  stateBytesPerSlot: number;
  /** Per token per stream, for the formula line. */
  bytesPerCell: number;
}

/** Gated DeltaNet / Mamba state of one layer for one slot, F32: conv window plus SSM state. */
export function recurrentStateBytesPerLayer(ssm: NonNullable<ModelHparams["ssm"]>): number {
  const conv = (ssm.convKernel - 1) * (ssm.innerSize + 2 * ssm.groupCount * ssm.stateSize);
  const state = ssm.stateSize * ssm.innerSize;
  return 4 * (conv + state);
}

/**
 * The engine's KV cache and recurrent state for a context: per layer S·C·n_head_kv·(d_k·b_k + d_v·b_v),
 * C the SWA cell count on sliding-window layers, K only (kv_lora_rank + rope dims) under MLA.
 */
export function kvCacheSize(model: ModelHparams, options: ContextOptions, types: CacheTypes): KvCacheSize {
  const layout = contextLayout(options, model.slidingWindow);
  const typeK = ggmlTypeByName(types.k);
  const typeV = ggmlTypeByName(types.v);
  let fullBytes = 0;
  let swaBytes = 0;
  let fullLayers = 0;
  let swaLayers = 0;
  let bytesPerCell = 0;
  for (let il = 0; il < model.layers; il++) {
    const heads = model.kvHeads[il] ?? 0;
    if (heads === 0 || model.recurrentLayers[il]) continue;
    const perCell = model.mla
      ? ggmlRowBytes(typeK, model.mla.kvLoraRank + model.mla.ropeDimensions)
      : ggmlRowBytes(typeK, heads * model.keyLength) + ggmlRowBytes(typeV, heads * model.valueLength);
    bytesPerCell += perCell;
    if (model.swaLayers[il]) {
      swaBytes += layout.streams * layout.swaCells * perCell;
      swaLayers++;
    } else {
      fullBytes += layout.streams * layout.cells * perCell;
      fullLayers++;
    }
  }
  const recurrentLayers = model.recurrentLayers.filter(Boolean).length;
  const stateBytesPerSlot = model.ssm ? recurrentLayers * recurrentStateBytesPerLayer(model.ssm) : 0;
  // llama-model.cpp: recurrent_rs_size = max(1, n_seq_max); one row per slot.
  const stateBytes = stateBytesPerSlot * Math.max(1, options.parallel);
  return {
    layout,
    fullBytes,
    swaBytes,
    stateBytes,
    fullLayers,
    swaLayers,
    recurrentLayers,
    stateBytesPerSlot,
    bytesPerCell,
  };
}
