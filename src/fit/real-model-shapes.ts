import { GgmlType, type GgufMetadataValue, GgufValueType } from "../gguf/gguf-types.js";
import { arrayOf, bool, f32, str, u32 } from "../gguf/gguf-values.js";
import type { HeaderOnlyGgufFile } from "../gguf/gguf-writer.js";

/*
 * The headers of six real models, tensor for tensor: the shapes come from each model's published
 * config.json, the tensor names and dimensions from the engine's loader (src/models/<arch>.cpp of the
 * llama.cpp tree Switchyard builds). Quant types follow the common Q4_K_M mix (norms F32, attention V
 * and FFN down Q6_K, the rest Q4_K; gpt-oss experts MXFP4 as published). No weights: the fit tests
 * write these as sparse files and ask the engine what it would allocate.
 */
export type RealShapeName =
  | "llama-3.1-8b"
  | "qwen3-8b"
  | "gemma-3-27b"
  | "qwen3.5-35b-a3b"
  | "deepseek-v3"
  | "gpt-oss-20b";

export const REAL_SHAPE_NAMES: readonly RealShapeName[] = [
  "llama-3.1-8b",
  "qwen3-8b",
  "gemma-3-27b",
  "qwen3.5-35b-a3b",
  "deepseek-v3",
  "gpt-oss-20b",
];

type Tensor = HeaderOnlyGgufFile["tensors"][number];

const i32s = (values: number[]) => arrayOf(GgufValueType.Int32, values);

const F32 = GgmlType.F32;
const Q4K = GgmlType.Q4_K;
const Q6K = GgmlType.Q6_K;
const Q8 = GgmlType.Q8_0;

class TensorList {
  readonly tensors: Tensor[] = [];
  add(name: string, dims: number[], type: number = F32): this {
    this.tensors.push({ name, dims, type });
    return this;
  }
  layer(index: number, name: string, dims: number[], type: number = F32): this {
    return this.add(`blk.${index}.${name}`, dims, type);
  }
}

interface CommonShape {
  arch: string;
  name: string;
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  contextLength: number;
  vocab: number;
  extra: Record<string, GgufMetadataValue>;
}

function metadataOf(shape: CommonShape): Map<string, GgufMetadataValue> {
  const { arch } = shape;
  const entries: [string, GgufMetadataValue][] = [
    ["general.architecture", str(arch)],
    ["general.name", str(shape.name)],
    ["general.file_type", u32(15)],
    [`${arch}.context_length`, u32(shape.contextLength)],
    [`${arch}.embedding_length`, u32(shape.embedding)],
    [`${arch}.block_count`, u32(shape.layers)],
    [`${arch}.feed_forward_length`, u32(shape.feedForward)],
    [`${arch}.attention.head_count`, u32(shape.heads)],
    [`${arch}.attention.head_count_kv`, u32(shape.kvHeads)],
    [`${arch}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
    [`${arch}.vocab_size`, u32(shape.vocab)],
    // No vocabulary: the engine adds vocab_size dummy tokens, which is all a memory dry run needs.
    ["tokenizer.ggml.model", str("none")],
  ];
  for (const [key, value] of Object.entries(shape.extra)) entries.push([`${arch}.${key}`, value]);
  return new Map(entries);
}

function denseAttention(list: TensorList, il: number, embedding: number, qWidth: number, kvWidth: number): void {
  list
    .layer(il, "attn_norm.weight", [embedding])
    .layer(il, "attn_q.weight", [embedding, qWidth], Q4K)
    .layer(il, "attn_k.weight", [embedding, kvWidth], Q4K)
    .layer(il, "attn_v.weight", [embedding, kvWidth], Q6K)
    .layer(il, "attn_output.weight", [qWidth, embedding], Q4K);
}

function denseFeedForward(list: TensorList, il: number, embedding: number, feedForward: number): void {
  list
    .layer(il, "ffn_norm.weight", [embedding])
    .layer(il, "ffn_gate.weight", [embedding, feedForward], Q4K)
    .layer(il, "ffn_up.weight", [embedding, feedForward], Q4K)
    .layer(il, "ffn_down.weight", [feedForward, embedding], Q6K);
}

/** meta-llama/Llama-3.1-8B: GQA 32 query heads over 8 KV heads of 128. */
function llama31(): HeaderOnlyGgufFile {
  const shape: CommonShape = {
    arch: "llama",
    name: "Llama-3.1-8B (header only)",
    layers: 32,
    embedding: 4096,
    heads: 32,
    kvHeads: 8,
    feedForward: 14336,
    contextLength: 131072,
    vocab: 128256,
    extra: { "rope.freq_base": f32(500000), "rope.dimension_count": u32(128) },
  };
  const list = new TensorList()
    .add("token_embd.weight", [4096, 128256], Q4K)
    .add("output_norm.weight", [4096])
    .add("output.weight", [4096, 128256], Q6K);
  for (let il = 0; il < shape.layers; il++) {
    denseAttention(list, il, 4096, 4096, 1024);
    denseFeedForward(list, il, 4096, 14336);
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

/** Qwen/Qwen3-8B: 36 layers, 32 query heads over 8 KV heads, per-head Q/K norms. */
function qwen3(): HeaderOnlyGgufFile {
  const shape: CommonShape = {
    arch: "qwen3",
    name: "Qwen3-8B (header only)",
    layers: 36,
    embedding: 4096,
    heads: 32,
    kvHeads: 8,
    feedForward: 12288,
    contextLength: 40960,
    vocab: 151936,
    extra: { "attention.key_length": u32(128), "attention.value_length": u32(128), "rope.freq_base": f32(1e6) },
  };
  const list = new TensorList()
    .add("token_embd.weight", [4096, 151936], Q4K)
    .add("output_norm.weight", [4096])
    .add("output.weight", [4096, 151936], Q6K);
  for (let il = 0; il < shape.layers; il++) {
    denseAttention(list, il, 4096, 4096, 1024);
    list.layer(il, "attn_q_norm.weight", [128]).layer(il, "attn_k_norm.weight", [128]);
    denseFeedForward(list, il, 4096, 12288);
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

/** google/gemma-3-27b-it: 62 layers, five sliding-window (1024) layers to one global, tied embeddings. */
function gemma3(): HeaderOnlyGgufFile {
  const shape: CommonShape = {
    arch: "gemma3",
    name: "Gemma-3-27B (header only)",
    layers: 62,
    embedding: 5376,
    heads: 32,
    kvHeads: 16,
    feedForward: 21504,
    contextLength: 131072,
    vocab: 262208,
    extra: {
      "attention.key_length": u32(128),
      "attention.value_length": u32(128),
      "attention.sliding_window": u32(1024),
      "rope.freq_base": f32(1e6),
    },
  };
  const list = new TensorList().add("token_embd.weight", [5376, 262208], Q6K).add("output_norm.weight", [5376]);
  for (let il = 0; il < shape.layers; il++) {
    denseAttention(list, il, 5376, 4096, 2048);
    list
      .layer(il, "post_attention_norm.weight", [5376])
      .layer(il, "attn_k_norm.weight", [128])
      .layer(il, "attn_q_norm.weight", [128]);
    denseFeedForward(list, il, 5376, 21504);
    list.layer(il, "post_ffw_norm.weight", [5376]);
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

function routedExperts(list: TensorList, il: number, embedding: number, expertWidth: number, experts: number): void {
  list
    .layer(il, "ffn_gate_inp.weight", [embedding, experts])
    .layer(il, "ffn_gate_exps.weight", [embedding, expertWidth, experts], Q4K)
    .layer(il, "ffn_up_exps.weight", [embedding, expertWidth, experts], Q4K)
    .layer(il, "ffn_down_exps.weight", [expertWidth, embedding, experts], Q6K);
}

/**
 * Qwen/Qwen3.5-35B-A3B: 40 layers, every 4th full attention (16 query heads of 256 over 2 KV heads),
 * the rest Gated DeltaNet (16 key heads, 32 value heads of 128, conv kernel 4); 256 experts of 512,
 * 8 used, one shared expert of 512.
 */
function qwen35moe(): HeaderOnlyGgufFile {
  const embedding = 2048;
  const shape: CommonShape = {
    arch: "qwen35moe",
    name: "Qwen3.5-35B-A3B (header only)",
    layers: 40,
    embedding,
    heads: 16,
    kvHeads: 2,
    feedForward: 512,
    contextLength: 262144,
    vocab: 248320,
    extra: {
      "attention.key_length": u32(256),
      "attention.value_length": u32(256),
      "rope.dimension_count": u32(64),
      "rope.dimension_sections": i32s([11, 11, 10, 0]),
      "rope.freq_base": f32(1e7),
      expert_count: u32(256),
      expert_used_count: u32(8),
      expert_feed_forward_length: u32(512),
      expert_shared_feed_forward_length: u32(512),
      "ssm.conv_kernel": u32(4),
      "ssm.inner_size": u32(4096),
      "ssm.state_size": u32(128),
      "ssm.time_step_rank": u32(32),
      "ssm.group_count": u32(16),
      full_attention_interval: u32(4),
    },
  };
  const keyDim = 128 * 16;
  const valueDim = 128 * 32;
  const list = new TensorList()
    .add("token_embd.weight", [embedding, 248320], Q4K)
    .add("output_norm.weight", [embedding])
    .add("output.weight", [embedding, 248320], Q6K);
  for (let il = 0; il < shape.layers; il++) {
    list.layer(il, "attn_norm.weight", [embedding]).layer(il, "post_attention_norm.weight", [embedding]);
    if ((il + 1) % 4 === 0) {
      list
        .layer(il, "attn_q.weight", [embedding, 256 * 16 * 2], Q4K)
        .layer(il, "attn_k.weight", [embedding, 256 * 2], Q4K)
        .layer(il, "attn_v.weight", [embedding, 256 * 2], Q6K)
        .layer(il, "attn_output.weight", [256 * 16, embedding], Q4K)
        .layer(il, "attn_q_norm.weight", [256])
        .layer(il, "attn_k_norm.weight", [256]);
    } else {
      list
        .layer(il, "attn_qkv.weight", [embedding, keyDim * 2 + valueDim], Q4K)
        .layer(il, "attn_gate.weight", [embedding, valueDim], Q4K)
        .layer(il, "ssm_conv1d.weight", [4, keyDim * 2 + valueDim])
        .layer(il, "ssm_dt.bias", [32])
        .layer(il, "ssm_a", [32])
        .layer(il, "ssm_beta.weight", [embedding, 32], Q8)
        .layer(il, "ssm_alpha.weight", [embedding, 32], Q8)
        .layer(il, "ssm_norm.weight", [128])
        .layer(il, "ssm_out.weight", [valueDim, embedding], Q4K);
    }
    routedExperts(list, il, embedding, 512, 256);
    list
      .layer(il, "ffn_gate_inp_shexp.weight", [embedding])
      .layer(il, "ffn_gate_shexp.weight", [embedding, 512], Q4K)
      .layer(il, "ffn_up_shexp.weight", [embedding, 512], Q4K)
      .layer(il, "ffn_down_shexp.weight", [512, embedding], Q6K);
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

/**
 * deepseek-ai/DeepSeek-V3: 61 layers (3 dense, 58 MoE with 256 experts of 2048, 8 used, one shared),
 * MLA with kv_lora_rank 512 and 64 RoPE dimensions, as written by the current convert script (K/V
 * decompression split into attn_k_b and attn_v_b; the cache holds 576 values per token).
 */
function deepseek2(): HeaderOnlyGgufFile {
  const embedding = 7168;
  const heads = 128;
  const shape: CommonShape = {
    arch: "deepseek2",
    name: "DeepSeek-V3 (header only)",
    layers: 61,
    embedding,
    heads,
    kvHeads: 1,
    feedForward: 18432,
    contextLength: 163840,
    vocab: 129280,
    extra: {
      "attention.key_length": u32(576),
      "attention.value_length": u32(512),
      "attention.key_length_mla": u32(192),
      "attention.value_length_mla": u32(128),
      "attention.q_lora_rank": u32(1536),
      "attention.kv_lora_rank": u32(512),
      "rope.dimension_count": u32(64),
      "rope.freq_base": f32(10000),
      leading_dense_block_count: u32(3),
      expert_count: u32(256),
      expert_used_count: u32(8),
      expert_shared_count: u32(1),
      expert_feed_forward_length: u32(2048),
      expert_weights_scale: f32(2.5),
      expert_weights_norm: bool(true),
      expert_gating_func: u32(2),
    },
  };
  const list = new TensorList()
    .add("token_embd.weight", [embedding, 129280], Q4K)
    .add("output_norm.weight", [embedding])
    .add("output.weight", [embedding, 129280], Q6K);
  for (let il = 0; il < shape.layers; il++) {
    list
      .layer(il, "attn_norm.weight", [embedding])
      .layer(il, "attn_q_a_norm.weight", [1536])
      .layer(il, "attn_kv_a_norm.weight", [512])
      .layer(il, "attn_q_a.weight", [embedding, 1536], Q4K)
      .layer(il, "attn_q_b.weight", [1536, heads * 192], Q4K)
      .layer(il, "attn_kv_a_mqa.weight", [embedding, 576], Q4K)
      .layer(il, "attn_k_b.weight", [128, 512, heads], Q8)
      .layer(il, "attn_v_b.weight", [512, 128, heads], Q8)
      .layer(il, "attn_output.weight", [heads * 128, embedding], Q4K)
      .layer(il, "ffn_norm.weight", [embedding]);
    if (il < 3) {
      list
        .layer(il, "ffn_gate.weight", [embedding, 18432], Q4K)
        .layer(il, "ffn_up.weight", [embedding, 18432], Q4K)
        .layer(il, "ffn_down.weight", [18432, embedding], Q6K);
    } else {
      routedExperts(list, il, embedding, 2048, 256);
      list
        .layer(il, "exp_probs_b.bias", [256])
        .layer(il, "ffn_gate_shexp.weight", [embedding, 2048], Q4K)
        .layer(il, "ffn_up_shexp.weight", [embedding, 2048], Q4K)
        .layer(il, "ffn_down_shexp.weight", [2048, embedding], Q6K);
    }
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

/**
 * openai/gpt-oss-20b: 24 layers alternating sliding window (128) and full attention, 64 query heads
 * over 8 KV heads of 64, attention sinks, 32 experts of 2880 (4 used) in MXFP4, biases everywhere.
 */
function gptOss(): HeaderOnlyGgufFile {
  const embedding = 2880;
  const shape: CommonShape = {
    arch: "gpt-oss",
    name: "gpt-oss-20b (header only)",
    layers: 24,
    embedding,
    heads: 64,
    kvHeads: 8,
    feedForward: 2880,
    contextLength: 131072,
    vocab: 201088,
    extra: {
      "attention.key_length": u32(64),
      "attention.value_length": u32(64),
      "attention.sliding_window": u32(128),
      "rope.dimension_count": u32(64),
      "rope.freq_base": f32(150000),
      expert_count: u32(32),
      expert_used_count: u32(4),
      expert_feed_forward_length: u32(2880),
    },
  };
  const list = new TensorList()
    .add("token_embd.weight", [embedding, 201088], Q8)
    .add("output_norm.weight", [embedding])
    .add("output.weight", [embedding, 201088], Q8);
  for (let il = 0; il < shape.layers; il++) {
    list
      .layer(il, "attn_norm.weight", [embedding])
      .layer(il, "post_attention_norm.weight", [embedding])
      .layer(il, "attn_q.weight", [embedding, 4096], Q8)
      .layer(il, "attn_k.weight", [embedding, 512], Q8)
      .layer(il, "attn_v.weight", [embedding, 512], Q8)
      .layer(il, "attn_q.bias", [4096])
      .layer(il, "attn_k.bias", [512])
      .layer(il, "attn_v.bias", [512])
      .layer(il, "attn_output.weight", [4096, embedding], Q8)
      .layer(il, "attn_output.bias", [embedding])
      .layer(il, "attn_sinks.weight", [64])
      .layer(il, "ffn_gate_inp.weight", [embedding, 32])
      .layer(il, "ffn_gate_inp.bias", [32])
      .layer(il, "ffn_gate_exps.weight", [embedding, 2880, 32], GgmlType.MXFP4)
      .layer(il, "ffn_up_exps.weight", [embedding, 2880, 32], GgmlType.MXFP4)
      .layer(il, "ffn_down_exps.weight", [2880, embedding, 32], GgmlType.MXFP4)
      .layer(il, "ffn_gate_exps.bias", [2880, 32])
      .layer(il, "ffn_up_exps.bias", [2880, 32])
      .layer(il, "ffn_down_exps.bias", [embedding, 32]);
  }
  return { metadata: metadataOf(shape), tensors: list.tensors };
}

export function realShapeHeader(name: RealShapeName): HeaderOnlyGgufFile {
  switch (name) {
    case "llama-3.1-8b":
      return llama31();
    case "qwen3-8b":
      return qwen3();
    case "gemma-3-27b":
      return gemma3();
    case "qwen3.5-35b-a3b":
      return qwen35moe();
    case "deepseek-v3":
      return deepseek2();
    case "gpt-oss-20b":
      return gptOss();
    default: {
      const never: never = name;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}
