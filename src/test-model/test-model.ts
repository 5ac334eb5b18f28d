import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { float16Bits } from "../gguf/float16.js";
import {
  GgmlType,
  type GgufFile,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufTensor,
  GgufValueType,
} from "../gguf/gguf-types.js";
import { writeGguf } from "../gguf/gguf-writer.js";
import { fillUniform, seededRandom } from "./seeded-random.js";
import { TEST_MODEL_SHAPES, type TestModelShape, type TestModelSize } from "./test-model-shapes.js";

export type TestModelTemplate = "qwen3.5" | "qwen3-coder";

/** Real chat templates shipped in the llama.cpp source, and whether the template has a thinking block. */
const TEMPLATES: Record<TestModelTemplate, { file: string; thinks: boolean }> = {
  "qwen3.5": { file: "Qwen3.5-4B.jinja", thinks: true },
  "qwen3-coder": { file: "Qwen3-Coder.jinja", thinks: false },
};

export interface TestModelOptions {
  /** Root of a llama.cpp source tree (holds models/ggml-vocab-qwen35.gguf and models/templates/). */
  llamaSource: string;
  outputPath: string;
  template?: TestModelTemplate;
  size?: TestModelSize;
  seed?: number;
}

/*
 * What the model says. Weights are random, so a plain random model would babble until max_tokens. To
 * answer briefly and stop, the output layer holds chains: the logit of each chain token is raised by
 * the embedding of the token before it, so from the last token of the generation prompt the model walks
 * a fixed phrase and ends with <|im_end|>. Pieces are GPT-2 byte-level tokens of the Qwen vocabulary
 * ("Ġ" is a space, "Ċ" a newline; this vocabulary has no <think> token, so the tag is plain text). A
 * token can have only one successor, so a piece occurs once as a link source across all chains.
 */
const ANSWER = [
  "Hello",
  "!",
  "ĠThis",
  "Ġis",
  "Ġthe",
  "ĠSwitch",
  "yard",
  "Ġtest",
  "Ġnet",
  ":",
  "Ġrandom",
  "Ġweights",
  ",",
  "Ġfixed",
  "Ġreply",
  ".",
  "ĠLoad",
  "Ġa",
  "Ġreal",
  "Ġmodel",
  "Ġfor",
  "Ġuseful",
  "Ġanswers",
  "<|im_end|>",
];
/** Generation prompts end in "assistant\n" (Ċ), "<think>\n" (>Ċ) or "</think>\n\n" (>ĊĊ). */
const THINKING_CHAINS = [
  [">Ċ", "Nothing", "Ġto", "Ġreason", "Ġabout", ";", "Ġanswering", "Ġnow", "</", "think", ">ĊĊ", ...ANSWER],
  ["Ċ", "Hello"],
  ["ĊĊ", "Hello"],
];
const PLAIN_CHAINS = [
  ["Ċ", ...ANSWER],
  [">Ċ", "Hello"],
  [">ĊĊ", "Hello"],
  ["ĊĊ", "Hello"],
];

/** How far a chain logit stands above the rest; random logits have a standard deviation of 1. */
const CHAIN_STRENGTH = 30;
/**
 * Under a grammar (JSON schema output, forced tool calls) the chain's next token is often not allowed.
 * Channel 0 of every embedding is a constant, and these tokens get a bias through it: below the chain,
 * above random tokens, so a constrained answer closes its strings and objects at once and stops.
 */
const CLOSING_PIECES = ['"', "}", '"}', "]", "<|im_end|>"];
const CLOSING_BIAS = 12;
/** Residual contributions of attention and feed-forward stay small so the chain survives the layers. */
const LAYER_OUTPUT_SCALE = 0.05;

type TypedMetadata = Record<string, { value: unknown; type: number; subType?: number }>;

function toMetadataValue(entry: { value: unknown; type: number; subType?: number }): GgufMetadataValue {
  if (entry.type === GgufValueType.Array) {
    if (entry.subType === undefined || entry.subType === GgufValueType.Array) {
      throw new Error("unsupported nested array in the vocabulary GGUF");
    }
    return { type: GgufValueType.Array, itemType: entry.subType, value: entry.value as GgufScalar[] };
  }
  return {
    type: entry.type as Exclude<GgufValueType, GgufValueType.Array>,
    value: entry.value as GgufScalar,
  };
}

const u32 = (value: number): GgufMetadataValue => ({ type: GgufValueType.Uint32, value });
const f32 = (value: number): GgufMetadataValue => ({ type: GgufValueType.Float32, value });
const str = (value: string): GgufMetadataValue => ({ type: GgufValueType.String, value });

function modelMetadata(
  shape: TestModelShape,
  vocabulary: TypedMetadata,
  template: string,
  label: string,
): Map<string, GgufMetadataValue> {
  const metadata = new Map<string, GgufMetadataValue>([
    ["general.architecture", str("llama")],
    ["general.name", str(label)],
    ["general.file_type", u32(1)],
    ["llama.context_length", u32(shape.contextLength)],
    ["llama.embedding_length", u32(shape.embedding)],
    ["llama.block_count", u32(shape.layers)],
    ["llama.feed_forward_length", u32(shape.feedForward)],
    ["llama.attention.head_count", u32(shape.heads)],
    ["llama.attention.head_count_kv", u32(shape.kvHeads)],
    ["llama.rope.dimension_count", u32(shape.embedding / shape.heads)],
    ["llama.rope.freq_base", f32(1_000_000)],
    ["llama.attention.layer_norm_rms_epsilon", f32(1e-6)],
  ]);
  for (const [key, entry] of Object.entries(vocabulary)) {
    if (key.startsWith("tokenizer.") && key !== "tokenizer.chat_template") {
      metadata.set(key, toMetadataValue(entry));
    }
  }
  metadata.set("tokenizer.chat_template", str(template));
  return metadata;
}

function tokenId(tokens: readonly string[], piece: string): number {
  const id = tokens.indexOf(piece);
  if (id < 0) throw new Error(`token ${JSON.stringify(piece)} is not in the Qwen3.5 vocabulary`);
  return id;
}

/** Maps each chain token to the token that must follow it. */
function chainLinks(tokens: readonly string[], thinks: boolean): Map<number, number> {
  const next = new Map<number, number>();
  for (const pieces of thinks ? THINKING_CHAINS : PLAIN_CHAINS) {
    for (let index = 0; index + 1 < pieces.length; index++) {
      const from = tokenId(tokens, pieces[index] as string);
      if (next.has(from)) throw new Error(`chain token ${pieces[index]} has two successors`);
      next.set(from, tokenId(tokens, pieces[index + 1] as string));
    }
  }
  return next;
}

const f16Tensor = (name: string, dims: number[], values: () => Float32Array): GgufTensor => ({
  name,
  dims,
  type: GgmlType.F16,
  data: () => new Uint8Array(float16Bits(values()).buffer),
});

const onesTensor = (name: string, length: number): GgufTensor => ({
  name,
  dims: [length],
  type: GgmlType.F32,
  data: () => new Uint8Array(new Float32Array(length).fill(1).buffer),
});

/** Writes a llama-architecture model with random weights, the real Qwen3.5 vocabulary and a real template. */
export async function writeTestModel(options: TestModelOptions): Promise<void> {
  const templateName = options.template ?? "qwen3.5";
  const size = options.size ?? "tiny";
  const seed = options.seed ?? 1;
  const shape = TEST_MODEL_SHAPES[size];
  const templateInfo = TEMPLATES[templateName];
  const models = join(options.llamaSource, "models");
  const template = readFileSync(join(models, "templates", templateInfo.file), "utf8");
  const parsed = await gguf(join(models, "ggml-vocab-qwen35.gguf"), {
    allowLocalFile: true,
    typedMetadata: true,
  });
  const vocabulary = parsed.typedMetadata as unknown as TypedMetadata;
  const tokens = vocabulary["tokenizer.ggml.tokens"]?.value as string[] | undefined;
  if (!tokens) throw new Error("the vocabulary GGUF has no tokenizer.ggml.tokens");
  const vocabularySize = tokens.length;
  const { embedding, feedForward } = shape;
  const kvWidth = (embedding / shape.heads) * shape.kvHeads;
  const random = seededRandom(seed);

  // Embeddings are drawn first because the output layer's chain rows are built from them.
  const embeddings = fillUniform(new Float32Array(vocabularySize * embedding), random, 1);
  for (let token = 0; token < vocabularySize; token++) embeddings[token * embedding] = 1;
  const next = chainLinks(tokens, templateInfo.thinks);

  const layerTensors: GgufTensor[] = [];
  const matrix = (name: string, inputs: number, outputs: number, scale: number) =>
    f16Tensor(name, [inputs, outputs], () =>
      fillUniform(new Float32Array(inputs * outputs), random, scale / Math.sqrt(inputs)),
    );
  for (let layer = 0; layer < shape.layers; layer++) {
    const prefix = `blk.${layer}`;
    layerTensors.push(
      onesTensor(`${prefix}.attn_norm.weight`, embedding),
      matrix(`${prefix}.attn_q.weight`, embedding, embedding, 1),
      matrix(`${prefix}.attn_k.weight`, embedding, kvWidth, 1),
      matrix(`${prefix}.attn_v.weight`, embedding, kvWidth, 1),
      matrix(`${prefix}.attn_output.weight`, embedding, embedding, LAYER_OUTPUT_SCALE),
      onesTensor(`${prefix}.ffn_norm.weight`, embedding),
      matrix(`${prefix}.ffn_gate.weight`, embedding, feedForward, 1),
      matrix(`${prefix}.ffn_up.weight`, embedding, feedForward, 1),
      matrix(`${prefix}.ffn_down.weight`, feedForward, embedding, LAYER_OUTPUT_SCALE),
    );
  }

  const output = (): Float32Array => {
    const weights = fillUniform(new Float32Array(vocabularySize * embedding), random, 1 / Math.sqrt(embedding));
    for (const [from, to] of next) {
      const source = embeddings.subarray(from * embedding, (from + 1) * embedding);
      for (let channel = 0; channel < embedding; channel++) {
        weights[to * embedding + channel] =
          (weights[to * embedding + channel] ?? 0) + (CHAIN_STRENGTH * (source[channel] ?? 0)) / embedding;
      }
    }
    for (const piece of CLOSING_PIECES) {
      const token = tokenId(tokens, piece);
      weights[token * embedding] = (weights[token * embedding] ?? 0) + CLOSING_BIAS;
    }
    return weights;
  };

  const file: GgufFile = {
    metadata: modelMetadata(shape, vocabulary, template, `switchyard-test-${size}-${templateName}-seed${seed}`),
    tensors: [
      f16Tensor("token_embd.weight", [embedding, vocabularySize], () => embeddings),
      ...layerTensors,
      onesTensor("output_norm.weight", embedding),
      f16Tensor("output.weight", [embedding, vocabularySize], output),
    ],
  };
  writeGguf(options.outputPath, file);
}
