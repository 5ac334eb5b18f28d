import type { KvCacheSize } from "./kv-cache-size.js";
import type { ModelHparams } from "./model-hparams.js";

/**
 * The compute buffer: graph- and backend-specific, so an estimate, not a formula. What it holds, as
 * the CPU backend's dry run shows on the six test shapes (docs/design/fit.md):
 * - the attention mask, n_ubatch × cells × 2 bytes (f16) for each KV cache (full and SWA), which is
 *   all of its growth with context;
 * - one micro-batch of activations: per token 4·n_embd floats (residual, norms, attention in/out),
 *   three FFN widths (gate, up, their product; for MoE the experts used plus the shared one), and for
 *   MLA the absorbed query (n_head·(kv_lora_rank + rope)) and latent output (n_head·kv_lora_rank),
 *   for Gated DeltaNet twice the convolution width.
 * Within 7 % of the CPU dry run on those shapes. GPU backends differ (`fit --measure` asks the engine).
 */
export function computeBufferBytes(model: ModelHparams, kv: KvCacheSize, ubatch: number): number {
  const mask = (kv.fullLayers > 0 ? kv.layout.cells : 0) + (kv.swaLayers > 0 ? kv.layout.swaCells : 0);
  const maskBytes = ubatch * mask * 2;
  const expertWidth = model.expertUsed * model.expertFeedForward + model.sharedExpertFeedForward;
  const ffnWidth = Math.max(model.feedForward, expertWidth);
  let extra = 0;
  if (model.mla) extra += model.heads * (2 * model.mla.kvLoraRank + model.mla.ropeDimensions);
  if (model.ssm) extra += 2 * (model.ssm.innerSize + 2 * model.ssm.groupCount * model.ssm.stateSize);
  const floatsPerToken = 4 * model.embedding + 3 * ffnWidth + extra;
  return maskBytes + ubatch * floatsPerToken * 4;
}
