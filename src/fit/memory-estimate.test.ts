import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kvCacheSize } from "./kv-cache-size.js";
import { readGgufHeader } from "./model-header.js";
import { type GgufMetadata, readModelHparams } from "./model-hparams.js";
import { REAL_SHAPE_NAMES, type RealShapeName } from "./real-model-shapes.js";
import { ensureSparseModel } from "./sparse-model-files.js";
import { weightsSize } from "./weights-size.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function shape(name: RealShapeName) {
  const header = await readGgufHeader(ensureSparseModel(directory, name));
  return { header, model: readModelHparams(header.metadata) };
}

const context = (tokens: number, parallel = 1, unified = true) => ({
  context: tokens,
  parallel,
  unified,
  ubatch: 512,
  swaFull: false,
});

/**
 * What a per-layer estimator computes when it ignores layer kinds: every layer holds K and V of the
 * full context, n_head_kv × (key_length + value_length) per cell, with MLA read as its decompressed
 * head sizes (key_length_mla, value_length_mla). gguf-parser-go and the UI formula in Unsloth #4757 do this.
 */
function naivePerLayerBytes(metadata: GgufMetadata, tokens: number): number {
  const arch = String(metadata["general.architecture"]);
  const read = (key: string) => Number(metadata[`${arch}.${key}`] ?? 0);
  const keyLength = read("attention.key_length_mla") || read("attention.key_length");
  const valueLength = read("attention.value_length_mla") || read("attention.value_length");
  return read("block_count") * tokens * read("attention.head_count_kv") * (keyLength + valueLength) * 2;
}

describe("the memory model on real shapes", () => {
  it("writes each shape as a header-only sparse file of at most 16 MB on disk", () => {
    for (const name of REAL_SHAPE_NAMES) {
      const path = ensureSparseModel(directory, name);
      const { blocks, size } = statSync(path);
      expect(blocks * 512, name).toBeLessThanOrEqual(16e6);
      expect(size, name).toBeGreaterThan(4 * 2 ** 30);
    }
  });

  it("reads the layer kinds the engine reads", async () => {
    const qwen35 = (await shape("qwen3.5-35b-a3b")).model;
    expect(qwen35.recurrentLayers.filter(Boolean)).toHaveLength(30);
    expect(qwen35.kvHeads.filter((heads) => heads > 0)).toHaveLength(10);
    const gemma = (await shape("gemma-3-27b")).model;
    expect(gemma.swaLayers.filter(Boolean)).toHaveLength(52);
    expect(gemma.swaLayers[5]).toBe(false);
    const gptOss = (await shape("gpt-oss-20b")).model;
    expect(gptOss.swaLayers.slice(0, 4)).toEqual([true, false, true, false]);
    expect((await shape("deepseek-v3")).model.mla).toEqual({ kvLoraRank: 512, ropeDimensions: 64 });
  });

  it("pads the context and sizes streams and SWA cells as the engine does", async () => {
    const { model } = await shape("gemma-3-27b");
    const f16 = { k: "f16", v: "f16" };
    expect(kvCacheSize(model, context(4000), f16).layout).toMatchObject({
      paddedContext: 4096,
      streams: 1,
      cells: 4096,
    });
    // 1024-token window plus one micro-batch, padded: 1536 cells.
    expect(kvCacheSize(model, context(32768), f16).layout.swaCells).toBe(1536);
    // Unified over 4 slots the window is per slot: pad256(min(32768, 4·1024 + 512)) → 4608.
    expect(kvCacheSize(model, context(32768, 4), f16).layout.swaCells).toBe(4608);
    expect(kvCacheSize(model, context(32768, 4, false), f16).layout).toMatchObject({
      streams: 4,
      cells: 8192,
      swaCells: 1536,
    });
    expect(kvCacheSize(model, { ...context(32768), swaFull: true }, f16).layout.swaCells).toBe(32768);
  });

  it("sizes the hybrid state per slot: 30 recurrent layers hold 62.8 MiB", async () => {
    const { model } = await shape("qwen3.5-35b-a3b");
    const kv = kvCacheSize(model, context(4096, 4, false), { k: "f16", v: "f16" });
    expect(kv.stateBytesPerSlot / 2 ** 20).toBeCloseTo(62.81, 2);
    expect(kv.stateBytes).toBe(4 * kv.stateBytesPerSlot);
  });

  it("counts quantized caches by their blocks: q8_0 34/32, q4_0 18/32 bytes per element", async () => {
    const { model } = await shape("llama-3.1-8b");
    const bytes = (k: string) => kvCacheSize(model, context(4096), { k, v: k }).fullBytes;
    expect(bytes("q8_0") / bytes("f16")).toBeCloseTo(34 / 64, 6);
    expect(bytes("q4_0") / bytes("f16")).toBeCloseTo(18 / 64, 6);
  });

  it("moves the expert tensors of the first N blocks with --n-cpu-moe, never the shared experts", async () => {
    const { header } = await shape("qwen3.5-35b-a3b");
    const split = weightsSize(header.tensors, 2);
    expect(split.hostExpertTensors.sort()).toEqual(
      ["blk.0.ffn_down_exps.weight", "blk.0.ffn_gate_exps.weight", "blk.0.ffn_up_exps.weight"]
        .concat(["blk.1.ffn_down_exps.weight", "blk.1.ffn_gate_exps.weight", "blk.1.ffn_up_exps.weight"])
        .sort(),
    );
  });

  /** The anchors: estimators that went wrong on these shapes, and our error on the same input. */
  it.each([
    ["qwen3.5-35b-a3b", 32768, 4.0],
    ["gemma-3-27b", 32768, 5.0],
    ["deepseek-v3", 32768, 0.56],
  ] as const)(
    "%s @%i: the naive per-layer formula is ×%f of what the engine allocates",
    async (name, tokens, ratio) => {
      const { header, model } = await shape(name);
      const kv = kvCacheSize(model, context(tokens), { k: "f16", v: "f16" });
      const ours = kv.fullBytes + kv.swaBytes;
      expect(naivePerLayerBytes(header.metadata, tokens) / ours).toBeCloseTo(ratio, 1);
    },
  );
});
