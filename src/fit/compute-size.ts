import type { KvCacheSize } from "./kv-cache-size.js";
import type { ModelHparams } from "./model-hparams.js";

/**
 * The compute buffer: graph- and backend-specific, so an estimate, not a formula. What it holds, as
 * the CPU backend's dry run shows on the six test shapes (docs/design/fit.md):
 * - the attention mask, n_ubatch × cells × 2 bytes (f16) for each KV cache (full and SWA), which is
 *   all of its growth with context;
 * - one micro-batch of activations: per token 4·n_embd floats (residual, norms, attention in/out),
 *   three FFN widths (gate, up, their product; for MoE the experts used plus the shared one), and for
 *   MLA the absorbed query (n_head·(kv_lora_rank + rope)) and latent output (n_head·kv_lora_rank);
 * - in a hybrid, the peak is in one branch or the other, never both: ggml-alloc frees the DeltaNet
 *   layer's tensors before the FFN's are made. A Gated DeltaNet layer's peak is twice the convolution width
 *   plus three d_inner widths (fitted to the dry run, not read tensor by tensor from the graph), so
 *   the activations are 4·n_embd + max(FFN branch, DeltaNet branch). Qwen3.5-35B-A3B: the DeltaNet
 *   branch, 36,864 floats a token, 72.00 MiB at 512 tokens, as the dry run's CPU compute buffer shows at
 *   every ctx and np (summing both branches was 3 MiB high, so `--ctx max` stopped a step early).
 * Within 7 % of the CPU dry run on those shapes. GPU backends differ (`fit --measure` asks the engine).
 */
export function computeBufferBytes(model: ModelHparams, kv: KvCacheSize, ubatch: number): number {
  const mask = (kv.fullLayers > 0 ? kv.layout.cells : 0) + (kv.swaLayers > 0 ? kv.layout.swaCells : 0);
  const maskBytes = ubatch * mask * 2;
  const expertWidth = model.expertUsed * model.expertFeedForward + model.sharedExpertFeedForward;
  const ffnWidth = Math.max(model.feedForward, expertWidth);
  const mlaFloats = model.mla ? model.heads * (2 * model.mla.kvLoraRank + model.mla.ropeDimensions) : 0;
  const ffnBranch = 3 * ffnWidth + mlaFloats;
  const deltaNetBranch = model.ssm
    ? 2 * (model.ssm.innerSize + 2 * model.ssm.groupCount * model.ssm.stateSize) + 3 * model.ssm.innerSize
    : 0;
  const floatsPerToken = 4 * model.embedding + Math.max(ffnBranch, deltaNetBranch);
  return maskBytes + ubatch * floatsPerToken * 4;
}
