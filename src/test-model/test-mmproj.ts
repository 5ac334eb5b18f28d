import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Report } from "../engine/llama-source.js";
import { float16Bits } from "../gguf/float16.js";
import { GgmlType, type GgufFile, type GgufMetadataValue, type GgufTensor, GgufValueType } from "../gguf/gguf-types.js";
import { arrayOf, bool, f32, str, u32 } from "../gguf/gguf-values.js";
import { writeGguf } from "../gguf/gguf-writer.js";
import { cacheDirectory } from "../util/paths.js";
import { fillUniform, seededRandom } from "./seeded-random.js";

/*
 * A tiny vision projector ("mmproj") for llama-server's `--mmproj`: a CLIP ViT with LLaVA's "mlp"
 * projector and random weights. Every key and tensor follows llama.cpp's tools/mtmd (clip-impl.h for
 * the names, clip.cpp load_hparams/load_tensors for what is required, models/llava.cpp for the graph).
 */

/** Bump when the generator changes what it writes, so cached projectors are made anew. */
const GENERATOR_REVISION = 1;

export const TEST_MMPROJ_SHAPE = {
  /** Every image is resized to this square (mtmd's fixed-size preprocessor for "mlp"). */
  imageSize: 56,
  patchSize: 14,
  embedding: 32,
  heads: 2,
  feedForward: 64,
  /**
   * The llava graph runs block_count - 1 blocks: it reads the second-to-last layer, as LLaVA does
   * (models/llava.cpp, `il_last = n_layer - 1`). Real LLaVA files drop the model's last layer and so
   * also store one block the graph never runs; here one block runs and one is loaded only.
   */
  blocks: 2,
} as const;

/** CLIP's normalisation (the converter's defaults); clip.cpp refuses a file without them. */
const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];

export interface TestMmprojOptions {
  /** The text model's embedding length: mtmd refuses a projector whose output width differs. */
  textEmbd: number;
  seed?: number;
}

/** Tokens one image becomes: one per patch, the "mlp" projector neither merges nor adds any. */
export function testMmprojImageTokens(): number {
  const side = TEST_MMPROJ_SHAPE.imageSize / TEST_MMPROJ_SHAPE.patchSize;
  return side * side;
}

const f32Array = (value: number[]) => arrayOf(GgufValueType.Float32, value);

function projectorMetadata(textEmbd: number, seed: number): Map<string, GgufMetadataValue> {
  const shape = TEST_MMPROJ_SHAPE;
  return new Map<string, GgufMetadataValue>([
    ["general.architecture", str("clip")],
    ["general.name", str(`switchyard-test-mmproj-seed${seed}`)],
    ["general.file_type", u32(1)],
    ["clip.has_vision_encoder", bool(true)],
    ["clip.projector_type", str("mlp")],
    ["clip.vision.image_size", u32(shape.imageSize)],
    ["clip.vision.patch_size", u32(shape.patchSize)],
    ["clip.vision.embedding_length", u32(shape.embedding)],
    ["clip.vision.feed_forward_length", u32(shape.feedForward)],
    // Required by load_hparams, unused by the "mlp" graph (it is CLIP's own contrastive projection).
    ["clip.vision.projection_dim", u32(textEmbd)],
    ["clip.vision.attention.head_count", u32(shape.heads)],
    ["clip.vision.attention.layer_norm_epsilon", f32(1e-5)],
    ["clip.vision.block_count", u32(shape.blocks)],
    ["clip.vision.image_mean", f32Array(IMAGE_MEAN)],
    ["clip.vision.image_std", f32Array(IMAGE_STD)],
  ]);
}

/** Writes the projector: F16 for matrices and the patch kernel, F32 for vectors (as the converter does). */
export function writeTestMmproj(path: string, options: TestMmprojOptions): void {
  const { embedding, feedForward, patchSize } = TEST_MMPROJ_SHAPE;
  const { textEmbd } = options;
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const positions = testMmprojImageTokens();

  const f16Tensor = (name: string, dims: number[], scale: number): GgufTensor => ({
    name,
    dims,
    type: GgmlType.F16,
    data: () => {
      const values = fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)), random, scale);
      return new Uint8Array(float16Bits(values).buffer);
    },
  });
  const f32Tensor = (name: string, dims: number[], fill: (values: Float32Array) => void): GgufTensor => ({
    name,
    dims,
    type: GgmlType.F32,
    data: () => {
      const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
      fill(values);
      return new Uint8Array(values.buffer);
    },
  });
  const ones = (name: string, length: number) => f32Tensor(name, [length], (values) => values.fill(1));
  const zeros = (name: string, length: number) => f32Tensor(name, [length], () => {});
  /** A linear layer: ggml's weight is [inputs, outputs] (dims[0] innermost), the bias [outputs]. */
  const linear = (name: string, inputs: number, outputs: number): GgufTensor[] => [
    f16Tensor(`${name}.weight`, [inputs, outputs], 1 / Math.sqrt(inputs)),
    zeros(`${name}.bias`, outputs),
  ];

  const blocks: GgufTensor[] = [];
  for (let block = 0; block < TEST_MMPROJ_SHAPE.blocks; block++) {
    const prefix = `v.blk.${block}`;
    blocks.push(
      ones(`${prefix}.ln1.weight`, embedding),
      zeros(`${prefix}.ln1.bias`, embedding),
      ...linear(`${prefix}.attn_q`, embedding, embedding),
      ...linear(`${prefix}.attn_k`, embedding, embedding),
      ...linear(`${prefix}.attn_v`, embedding, embedding),
      ...linear(`${prefix}.attn_out`, embedding, embedding),
      ones(`${prefix}.ln2.weight`, embedding),
      zeros(`${prefix}.ln2.bias`, embedding),
      // Named by direction (up: embedding → feed-forward). Legacy LLaVA files have them the other way
      // round, and clip.cpp swaps them back when ffn_down's input width is the embedding's; here it is not.
      ...linear(`${prefix}.ffn_up`, embedding, feedForward),
      ...linear(`${prefix}.ffn_down`, feedForward, embedding),
    );
  }

  const file: GgufFile = {
    metadata: projectorMetadata(textEmbd, seed),
    tensors: [
      // ggml_conv_2d's kernel: [width, height, input channels (RGB), output channels].
      f16Tensor("v.patch_embd.weight", [patchSize, patchSize, 3, embedding], 1 / Math.sqrt(patchSize * patchSize * 3)),
      // One row per patch (no class embedding, so no extra position).
      f32Tensor("v.position_embd.weight", [embedding, positions], (values) => fillUniform(values, random, 0.02)),
      ...blocks,
      // LLaVA's projector: mm.0 (linear), GELU, mm.2 (linear). clip.cpp loads both as optional, yet the
      // graph adds mm.0's bias unconditionally and clip_n_mmproj_embd reads the output width from
      // mm.2.weight, so both are needed; that width must equal the text model's embedding length.
      ...linear("mm.0", embedding, textEmbd),
      ...linear("mm.2", textEmbd, textEmbd),
    ],
  };
  writeGguf(path, file);
}

/** The test projector for a text model of `textEmbd` channels, generated into the cache once per seed. */
export function ensureTestMmproj(options: TestMmprojOptions, report: Report = () => {}): string {
  const seed = options.seed ?? 1;
  const directory = join(cacheDirectory(), "models");
  const name = `switchyard-test-mmproj-mlp-text${options.textEmbd}-seed${seed}-r${GENERATOR_REVISION}`;
  const path = join(directory, `${name}.gguf`);
  if (existsSync(path)) return path;
  report(`writing the test vision projector (text embedding ${options.textEmbd}) to ${path}`);
  mkdirSync(directory, { recursive: true });
  // writeGguf writes beside and renames, so a test running in parallel never loads a half-written file.
  writeTestMmproj(path, { ...options, seed });
  return path;
}
