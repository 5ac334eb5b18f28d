import { closeSync, openSync, readSync } from "node:fs";
import { gguf } from "@huggingface/gguf";
import {
  GgmlType,
  type GgufMetadataValue,
  type GgufTensor,
  GgufValueType,
  tensorByteLength,
} from "../../src/gguf/gguf-types.js";
import { writeGguf } from "../../src/gguf/gguf-writer.js";
import { toMetadataValue } from "../../src/test-model/test-model.js";

/**
 * A mixture-of-experts variant of the built-in test model, for launching `fit moe --search` for real:
 * llama.cpp's llama architecture takes Mixtral-style experts (`llama.expert_count`, `ffn_gate_inp` and
 * `ffn_{gate,up,down}_exps`, llama-model.cpp), so each dense FFN becomes `experts` copies of itself and
 * a zero router. The tokenizer and template stay the real ones, so the bench's requests run unchanged.
 */
export async function writeMoeTestModel(source: string, output: string, experts = 4, used = 2): Promise<void> {
  const parsed = await gguf(source, { allowLocalFile: true, typedMetadata: true });
  const metadata = new Map<string, GgufMetadataValue>();
  for (const [key, entry] of Object.entries(parsed.typedMetadata)) {
    if (key === "version" || key === "tensor_count" || key === "kv_count") continue;
    metadata.set(key, toMetadataValue(entry as { value: unknown; type: number; subType?: number }));
  }
  metadata.set("llama.expert_count", { type: GgufValueType.Uint32, value: experts });
  metadata.set("llama.expert_used_count", { type: GgufValueType.Uint32, value: used });
  const descriptor = openSync(source, "r");
  const read = (offset: bigint, length: number) => {
    const bytes = new Uint8Array(length);
    readSync(descriptor, bytes, 0, length, Number(parsed.tensorDataOffset + offset));
    return bytes;
  };
  const tensors: GgufTensor[] = [];
  for (const info of parsed.tensorInfos) {
    const dims = info.shape.map(Number);
    const type = info.dtype as unknown as GgmlType;
    const length = tensorByteLength({ dims, type });
    const data = () => read(info.offset, length);
    const dense = /^blk\.(\d+)\.ffn_(gate|up|down)\.weight$/.exec(info.name);
    if (!dense) {
      tensors.push({ name: info.name, dims, type, data });
      continue;
    }
    const [, layer, part] = dense;
    if (part === "gate")
      tensors.push({
        name: `blk.${layer}.ffn_gate_inp.weight`,
        dims: [dims[0] as number, experts],
        type: GgmlType.F32,
        data: () => new Uint8Array((dims[0] as number) * experts * 4),
      });
    tensors.push({
      name: `blk.${layer}.ffn_${part}_exps.weight`,
      dims: [...dims, experts],
      type,
      data: () => {
        const one = data();
        const all = new Uint8Array(one.length * experts);
        for (let expert = 0; expert < experts; expert++) all.set(one, expert * one.length);
        return all;
      },
    });
  }
  try {
    writeGguf(output, { metadata, tensors });
  } finally {
    closeSync(descriptor);
  }
}
