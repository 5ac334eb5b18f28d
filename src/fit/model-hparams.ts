/**
 * What the memory model needs from a GGUF header, read the way the engine's loader reads it
 * (src/models/<arch>.cpp and src/llama-hparams.cpp of the llama.cpp tree Switchyard builds).
 */
export interface ModelHparams {
  architecture: string;
  /** Layers of the trunk (block_count less any MTP/NextN layers, which the cache skips by default). */
  layers: number;
  contextTrain: number;
  embedding: number;
  /** Per layer; a layer with 0 KV heads holds no KV cache. */
  kvHeads: number[];
  /** Per-head K and V widths (attention.key_length / value_length; n_embd / n_head when absent). */
  keyLength: number;
  valueLength: number;
  /** 0 when the model has no sliding-window attention. */
  slidingWindow: number;
  swaLayers: boolean[];
  /** Layers that hold a recurrent state instead of KV (hybrid models). */
  recurrentLayers: boolean[];
  ssm?: { convKernel: number; innerSize: number; stateSize: number; groupCount: number };
  /** Multi-head latent attention: the cache holds one K of kv_lora_rank + rope dims per token, no V. */
  mla?: { kvLoraRank: number; ropeDimensions: number };
  expertCount: number;
  /** Widths the compute estimate reads: query heads, dense FFN, experts used and their widths. */
  heads: number;
  feedForward: number;
  expertUsed: number;
  expertFeedForward: number;
  sharedExpertFeedForward: number;
}

export type GgufMetadata = Readonly<Record<string, unknown>>;

/** Sliding-window layout per architecture when the header carries no pattern (load_swa_pattern calls). */
const SWA_PATTERNS: Readonly<Record<string, { period: number; denseFirst?: boolean }>> = {
  gemma2: { period: 2 },
  gemma3: { period: 6 },
  "gemma-embedding": { period: 6 },
  gemma3n: { period: 5 },
  "gpt-oss": { period: 2 },
  cohere2: { period: 4 },
  cohere2moe: { period: 4, denseFirst: true },
  exaone4: { period: 4 },
  "exaone-moe": { period: 4 },
  olmo2: { period: 4 },
  afmoe: { period: 4 },
  mellum: { period: 4 },
  smallthinker: { period: 4, denseFirst: true },
  phi3: { period: 1 },
};

/** Hybrids whose recurrent layers follow full_attention_interval (qwen35*.cpp, qwen3next.cpp). */
const INTERVAL_HYBRIDS = new Set(["qwen35", "qwen35moe", "qwen3next"]);

function numberAt(metadata: GgufMetadata, key: string): number | undefined {
  const value = metadata[key];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

function required(metadata: GgufMetadata, key: string): number {
  const value = numberAt(metadata, key);
  if (value === undefined) throw new Error(`the GGUF header has no ${key}`);
  return value;
}

/** A per-layer value stored either as one number or as an array (head_count_kv of OpenELM, Gemma 3n…). */
function perLayer(metadata: GgufMetadata, key: string, layers: number, fallback?: number): number[] {
  const value = metadata[key];
  if (Array.isArray(value)) return Array.from({ length: layers }, (_, il) => Number(value[il] ?? 0));
  const scalar = typeof value === "number" || typeof value === "bigint" ? Number(value) : fallback;
  if (scalar === undefined) throw new Error(`the GGUF header has no ${key}`);
  return new Array<number>(layers).fill(scalar);
}

function swaLayout(metadata: GgufMetadata, arch: string, layers: number, window: number): boolean[] {
  if (window === 0) return new Array<boolean>(layers).fill(false);
  const explicit = metadata[`${arch}.attention.sliding_window_pattern`];
  if (Array.isArray(explicit)) return Array.from({ length: layers }, (_, il) => Boolean(explicit[il]));
  const known = SWA_PATTERNS[arch];
  if (!known && typeof explicit !== "number") {
    throw new Error(
      `${arch}: the header has a sliding window but no layer pattern, and this architecture's is not known`,
    );
  }
  const period = typeof explicit === "number" ? explicit : (known?.period ?? 0);
  const denseFirst = known?.denseFirst ?? false;
  // llama_hparams::set_swa_pattern
  return Array.from({ length: layers }, (_, il) =>
    period === 0 ? true : denseFirst ? il % period !== 0 : il % period < period - 1,
  );
}

export function readModelHparams(metadata: GgufMetadata): ModelHparams {
  const arch = metadata["general.architecture"];
  if (typeof arch !== "string") throw new Error("the GGUF header names no general.architecture");
  const key = (name: string) => `${arch}.${name}`;
  const blockCount = required(metadata, key("block_count"));
  const layers = blockCount - (numberAt(metadata, key("nextn_predict_layers")) ?? 0);
  const embedding = required(metadata, key("embedding_length"));
  const heads = perLayer(metadata, key("attention.head_count"), layers);
  const firstHeads = heads[0] ?? 1;
  const kvHeads = perLayer(metadata, key("attention.head_count_kv"), layers, firstHeads);
  const keyLength = numberAt(metadata, key("attention.key_length")) ?? embedding / firstHeads;
  const valueLength = numberAt(metadata, key("attention.value_length")) ?? embedding / firstHeads;
  const gemma3WithoutWindow = arch === "gemma3" && !numberAt(metadata, key("attention.sliding_window"));
  const slidingWindow = gemma3WithoutWindow ? 0 : (numberAt(metadata, key("attention.sliding_window")) ?? 0);

  let recurrentLayers = new Array<boolean>(layers).fill(false);
  let ssm: ModelHparams["ssm"];
  if (INTERVAL_HYBRIDS.has(arch)) {
    const explicit = metadata[key("attention.recurrent_layers")];
    const interval = numberAt(metadata, key("full_attention_interval")) ?? 4;
    recurrentLayers = Array.isArray(explicit)
      ? Array.from({ length: layers }, (_, il) => Boolean(explicit[il]))
      : Array.from({ length: layers }, (_, il) => (il + 1) % interval !== 0);
    ssm = {
      convKernel: required(metadata, key("ssm.conv_kernel")),
      innerSize: required(metadata, key("ssm.inner_size")),
      stateSize: required(metadata, key("ssm.state_size")),
      groupCount: required(metadata, key("ssm.group_count")),
    };
  } else if (numberAt(metadata, key("ssm.state_size")) !== undefined) {
    throw new Error(`${arch}: a recurrent (SSM) architecture whose layer layout this estimator does not model yet`);
  }

  const kvLoraRank = numberAt(metadata, key("attention.kv_lora_rank"));
  const isMla =
    kvLoraRank !== undefined &&
    numberAt(metadata, key("attention.key_length_mla")) !== undefined &&
    numberAt(metadata, key("attention.value_length_mla")) !== undefined;
  const mla = isMla
    ? { kvLoraRank: kvLoraRank ?? 0, ropeDimensions: required(metadata, key("rope.dimension_count")) }
    : undefined;

  const expertFeedForward = numberAt(metadata, key("expert_feed_forward_length")) ?? 0;
  return {
    architecture: arch,
    layers,
    contextTrain: required(metadata, key("context_length")),
    embedding,
    kvHeads: kvHeads.map((count, il) => (recurrentLayers[il] ? 0 : count)),
    keyLength,
    valueLength,
    slidingWindow,
    swaLayers: swaLayout(metadata, arch, layers, slidingWindow),
    recurrentLayers,
    ...(ssm ? { ssm } : {}),
    ...(mla ? { mla } : {}),
    expertCount: numberAt(metadata, key("expert_count")) ?? 0,
    heads: firstHeads,
    feedForward: Math.max(0, ...perLayer(metadata, key("feed_forward_length"), layers, 0)),
    expertUsed: numberAt(metadata, key("expert_used_count")) ?? 0,
    expertFeedForward,
    sharedExpertFeedForward:
      numberAt(metadata, key("expert_shared_feed_forward_length")) ??
      (numberAt(metadata, key("expert_shared_count")) ?? 0) * expertFeedForward,
  };
}
