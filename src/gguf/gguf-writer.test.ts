import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GGMLQuantizationType, gguf } from "@huggingface/gguf";
import { describe, expect, it } from "vitest";
import { GgmlType, type GgufMetadataValue, GgufValueType } from "./gguf-types.js";
import { writeGguf } from "./gguf-writer.js";

describe("writeGguf", () => {
  it("round-trips metadata and tensors through @huggingface/gguf", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-gguf-")), "round-trip.gguf");
    const metadata = new Map<string, GgufMetadataValue>([
      ["general.architecture", { type: GgufValueType.String, value: "llama" }],
      ["general.name", { type: GgufValueType.String, value: "héllo ✓" }],
      ["llama.block_count", { type: GgufValueType.Uint32, value: 3 }],
      ["test.int8", { type: GgufValueType.Int8, value: -5 }],
      ["test.uint16", { type: GgufValueType.Uint16, value: 60000 }],
      ["test.int32", { type: GgufValueType.Int32, value: -123456 }],
      ["test.float32", { type: GgufValueType.Float32, value: 0.5 }],
      ["test.bool", { type: GgufValueType.Bool, value: true }],
      ["test.uint64", { type: GgufValueType.Uint64, value: 2n ** 40n }],
      ["test.float64", { type: GgufValueType.Float64, value: Math.PI }],
      ["test.strings", { type: GgufValueType.Array, itemType: GgufValueType.String, value: ["a", "", "Ġb"] }],
      ["test.ints", { type: GgufValueType.Array, itemType: GgufValueType.Int32, value: [1, -2, 3] }],
    ]);
    const vector = new Float32Array([1, 2, 3]);
    const matrix = new Uint16Array([0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600]);
    writeGguf(path, {
      metadata,
      tensors: [
        { name: "vector", dims: [3], type: GgmlType.F32, data: () => new Uint8Array(vector.buffer) },
        { name: "matrix", dims: [3, 2], type: GgmlType.F16, data: () => new Uint8Array(matrix.buffer) },
      ],
    });

    const parsed = await gguf(path, { allowLocalFile: true, typedMetadata: true });
    expect(parsed.metadata.version).toBe(3);
    expect(parsed.metadata.tensor_count).toBe(2n);
    expect((parsed.metadata as Record<string, unknown>)["general.name"]).toBe("héllo ✓");
    const typed = parsed.typedMetadata as unknown as Record<string, { value: unknown; type: number; subType?: number }>;
    for (const [key, entry] of metadata) {
      expect(typed[key]?.type, key).toBe(entry.type);
      if (entry.type === GgufValueType.Array) expect(typed[key]?.subType, key).toBe(entry.itemType);
      const read = typed[key]?.value;
      if (entry.type === GgufValueType.Float32) expect(read).toBeCloseTo(entry.value as number, 6);
      else expect(read, key).toEqual(entry.value);
    }

    expect(parsed.tensorInfos.map((info) => [info.name, info.shape.map(Number), info.dtype])).toEqual([
      ["vector", [3], GGMLQuantizationType.F32],
      ["matrix", [3, 2], GGMLQuantizationType.F16],
    ]);
    const bytes = readFileSync(path);
    const start = parsed.tensorDataOffset;
    const [first, second] = parsed.tensorInfos;
    const at = (offset: bigint) => Number(start + offset);
    expect(
      new Float32Array(
        bytes.buffer.slice(bytes.byteOffset + at(first!.offset), bytes.byteOffset + at(first!.offset) + 12),
      ),
    ).toEqual(vector);
    expect(Number(second!.offset) % 32).toBe(0);
    expect(
      new Uint16Array(
        bytes.buffer.slice(bytes.byteOffset + at(second!.offset), bytes.byteOffset + at(second!.offset) + 12),
      ),
    ).toEqual(matrix);
  });

  it("refuses tensor data of the wrong size and leaves no file", () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-gguf-")), "bad.gguf");
    expect(() =>
      writeGguf(path, {
        metadata: new Map(),
        tensors: [{ name: "t", dims: [4], type: GgmlType.F32, data: () => new Uint8Array(8) }],
      }),
    ).toThrow(/expected 16/);
    expect(() => readFileSync(path)).toThrow();
  });
});
