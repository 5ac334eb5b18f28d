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
import { arrayOf, bool, f32, str, u32 } from "../gguf/gguf-values.js";
import { writeGguf } from "../gguf/gguf-writer.js";
import { ByteLevelTokenizer } from "./byte-level-tokenizer.js";
import { type ChainPlan, planChains } from "./chain-plan.js";
import {
  readTemplate,
  SCRIPT_TOOL_NAME,
  scriptSuffix,
  type TestModelScript,
  templateFileName,
} from "./family-script.js";
import { ScriptedWeights } from "./scripted-weights.js";
import { fillUniform, seededRandom } from "./seeded-random.js";
import {
  SCRIPTED_DEEP_CONTEXT_SHAPES,
  SCRIPTED_MODEL_SHAPES,
  TEST_MODEL_SHAPES,
  type TestModelShape,
  type TestModelSize,
} from "./test-model-shapes.js";

/** qwen3.5, qwen3-coder, or any template file name under models/templates/ of the llama.cpp source. */
export type TestModelTemplate = string;

export interface TestModelOptions {
  /** Root of a llama.cpp source tree (holds models/ggml-vocab-qwen35.gguf and models/templates/). */
  llamaSource: string;
  outputPath: string;
  template?: TestModelTemplate;
  /** What the model says: a fixed text reply, a tool call then an answer, or a broken tool call. */
  script?: TestModelScript;
  /** The name of the tool the tool-call scripts call: Bash (Claude Code's) unless told another. */
  tool?: string;
  /** The name of its one argument: `command` unless told another. */
  argument?: string;
  size?: TestModelSize;
  seed?: number;
}

/*
 * What the model says. Weights are random, so a plain random model would babble until max_tokens. To
 * answer briefly and stop, the output layer holds chains (chain-plan.ts): the logit of each chain token
 * is raised by the embedding of the token before it, so from the last token of the generation prompt
 * the model walks a fixed reply and ends with <|im_end|>.
 */
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

export function toMetadataValue(entry: { value: unknown; type: number; subType?: number }): GgufMetadataValue {
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

/** Every token a chain reads: sources, context tokens and successors, in first-seen order. */
function chainTokens(plan: ChainPlan): number[] {
  return [...new Set(plan.links.flatMap((link) => [...(link.context ?? []), link.from, link.to]))];
}

/** Writes a llama-architecture model with random weights, the real Qwen3.5 vocabulary and a real template. */
export async function writeTestModel(options: TestModelOptions): Promise<void> {
  const templateName = options.template ?? "qwen3.5";
  const script = options.script ?? "text";
  const size = options.size ?? "tiny";
  const seed = options.seed ?? 1;
  const tool = options.tool ?? SCRIPT_TOOL_NAME;
  const scripted = scriptSuffix(script, tool, options.argument);
  const template = readTemplate(options.llamaSource, templateName);
  const parsed = await gguf(join(options.llamaSource, "models", "ggml-vocab-qwen35.gguf"), {
    allowLocalFile: true,
    typedMetadata: true,
  });
  const vocabulary = parsed.typedMetadata as unknown as TypedMetadata;
  const tokens = vocabulary["tokenizer.ggml.tokens"]?.value as string[] | undefined;
  const types = vocabulary["tokenizer.ggml.token_type"]?.value as number[] | undefined;
  const merges = vocabulary["tokenizer.ggml.merges"]?.value as string[] | undefined;
  if (!tokens || !types || !merges) throw new Error("the vocabulary GGUF has no tokens, token types or merges");
  const tokenizer = new ByteLevelTokenizer(tokens, types, merges);
  const plan = planChains(tokenizer, templateFileName(templateName), template, script, tool, options.argument);
  const vocabularySize = tokens.length;
  const scriptedShapes = plan.contextDepth === 3 ? SCRIPTED_DEEP_CONTEXT_SHAPES : SCRIPTED_MODEL_SHAPES;
  const shape = plan.scripted ? scriptedShapes[size] : TEST_MODEL_SHAPES[size];
  const { embedding, feedForward } = shape;
  const kvWidth = (embedding / shape.heads) * shape.kvHeads;
  const random = seededRandom(seed);
  const designed = plan.scripted ? new ScriptedWeights(shape, plan.marker, plan.contextDepth) : undefined;

  // Embeddings are drawn first because the output layer's chain rows are built from them.
  const embeddings = fillUniform(new Float32Array(vocabularySize * embedding), random, 1);
  for (let token = 0; token < vocabularySize; token++) embeddings[token * embedding] = 1;
  designed?.shapeEmbeddings(embeddings, chainTokens(plan));

  const layerTensors: GgufTensor[] = [];
  const matrix = (
    name: string,
    inputs: number,
    outputs: number,
    scale: number,
    adjust?: (values: Float32Array) => void,
  ) =>
    f16Tensor(name, [inputs, outputs], () => {
      const values = fillUniform(new Float32Array(inputs * outputs), random, scale / Math.sqrt(inputs));
      adjust?.(values);
      return values;
    });
  const attention = (layer: number, tensor: "attn_q" | "attn_k" | "attn_v" | "attn_output") => {
    if (!designed) return undefined;
    if (layer === 0) return (values: Float32Array) => designed.layerZeroAttention(tensor, values);
    return tensor === "attn_output"
      ? (values: Float32Array) => designed.keepChannelsClean(values, embedding)
      : undefined;
  };
  for (let layer = 0; layer < shape.layers; layer++) {
    const prefix = `blk.${layer}`;
    layerTensors.push(
      onesTensor(`${prefix}.attn_norm.weight`, embedding),
      matrix(`${prefix}.attn_q.weight`, embedding, embedding, 1, attention(layer, "attn_q")),
      matrix(`${prefix}.attn_k.weight`, embedding, kvWidth, 1, attention(layer, "attn_k")),
      matrix(`${prefix}.attn_v.weight`, embedding, kvWidth, 1, attention(layer, "attn_v")),
      matrix(`${prefix}.attn_output.weight`, embedding, embedding, LAYER_OUTPUT_SCALE, attention(layer, "attn_output")),
      onesTensor(`${prefix}.ffn_norm.weight`, embedding),
      matrix(`${prefix}.ffn_gate.weight`, embedding, feedForward, 1),
      matrix(`${prefix}.ffn_up.weight`, embedding, feedForward, 1),
      matrix(
        `${prefix}.ffn_down.weight`,
        feedForward,
        embedding,
        LAYER_OUTPUT_SCALE,
        designed && ((values) => designed.keepChannelsClean(values, feedForward)),
      ),
    );
  }

  const output = (): Float32Array => {
    const weights = fillUniform(new Float32Array(vocabularySize * embedding), random, 1 / Math.sqrt(embedding));
    if (designed) {
      designed.addLinks(weights, embeddings, plan.links);
    } else {
      for (const { from, to } of plan.links) {
        const source = embeddings.subarray(from * embedding, (from + 1) * embedding);
        for (let channel = 0; channel < embedding; channel++) {
          weights[to * embedding + channel] =
            (weights[to * embedding + channel] ?? 0) + (CHAIN_STRENGTH * (source[channel] ?? 0)) / embedding;
        }
      }
    }
    // An unscripted model babbles until max_tokens: no closing bias either (with no chain above it, the
    // closing pieces would be all it says).
    if (script === "unscripted") return weights;
    for (const piece of CLOSING_PIECES) {
      const token = tokenizer.ids.get(piece) as number;
      weights[token * embedding] = (weights[token * embedding] ?? 0) + CLOSING_BIAS;
    }
    return weights;
  };

  const label = `switchyard-test-${size}-${templateName}${scripted}-seed${seed}`;
  const file: GgufFile = {
    metadata: modelMetadata(shape, vocabulary, template, label),
    tensors: [
      f16Tensor("token_embd.weight", [embedding, vocabularySize], () => embeddings),
      ...layerTensors,
      onesTensor("output_norm.weight", embedding),
      f16Tensor("output.weight", [embedding, vocabularySize], output),
    ],
  };
  writeGguf(options.outputPath, file);
}
