import { closeSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import {
  type GgufFile,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufTensor,
  GgufValueType,
  tensorByteLength,
} from "./gguf-types.js";

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3;
const DEFAULT_ALIGNMENT = 32;

/** Grows as bytes are appended; serialises the GGUF header (metadata and tensor infos). */
class ByteSink {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = Buffer.alloc(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
  u8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }
  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.length);
    this.length += 4;
  }
  u64(value: number | bigint): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
  }
  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.length);
    this.length += bytes.length;
  }
  scalar(type: GgufValueType, value: GgufScalar): void {
    const size = scalarSize(type);
    this.reserve(size);
    const at = this.length;
    switch (type) {
      case GgufValueType.Uint8:
        this.buffer.writeUInt8(Number(value), at);
        break;
      case GgufValueType.Int8:
        this.buffer.writeInt8(Number(value), at);
        break;
      case GgufValueType.Uint16:
        this.buffer.writeUInt16LE(Number(value), at);
        break;
      case GgufValueType.Int16:
        this.buffer.writeInt16LE(Number(value), at);
        break;
      case GgufValueType.Uint32:
        this.buffer.writeUInt32LE(Number(value), at);
        break;
      case GgufValueType.Int32:
        this.buffer.writeInt32LE(Number(value), at);
        break;
      case GgufValueType.Float32:
        this.buffer.writeFloatLE(Number(value), at);
        break;
      case GgufValueType.Bool:
        this.buffer.writeUInt8(value ? 1 : 0, at);
        break;
      case GgufValueType.Uint64:
        this.buffer.writeBigUInt64LE(BigInt(value), at);
        break;
      case GgufValueType.Int64:
        this.buffer.writeBigInt64LE(BigInt(value), at);
        break;
      case GgufValueType.Float64:
        this.buffer.writeDoubleLE(Number(value), at);
        break;
      case GgufValueType.String:
        this.string(String(value));
        return;
      case GgufValueType.Array:
        throw new Error("nested GGUF arrays are not supported by this writer");
      default: {
        const never: never = type;
        throw new Error(`unknown GGUF value type ${String(never)}`);
      }
    }
    this.length += size;
  }
  pad(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function scalarSize(type: GgufValueType): number {
  switch (type) {
    case GgufValueType.Uint8:
    case GgufValueType.Int8:
    case GgufValueType.Bool:
      return 1;
    case GgufValueType.Uint16:
    case GgufValueType.Int16:
      return 2;
    case GgufValueType.Uint32:
    case GgufValueType.Int32:
    case GgufValueType.Float32:
      return 4;
    case GgufValueType.Uint64:
    case GgufValueType.Int64:
    case GgufValueType.Float64:
      return 8;
    default:
      return 0;
  }
}

function writeMetadataValue(sink: ByteSink, entry: GgufMetadataValue): void {
  sink.u32(entry.type);
  if (entry.type === GgufValueType.Array) {
    sink.u32(entry.itemType);
    sink.u64(entry.value.length);
    for (const item of entry.value) sink.scalar(entry.itemType, item);
    return;
  }
  sink.scalar(entry.type, entry.value);
}

/** A GGUF described by its header alone: tensor names, shapes and types, no data. */
export interface HeaderOnlyGgufFile {
  metadata: GgufFile["metadata"];
  tensors: readonly Pick<GgufTensor, "name" | "dims" | "type">[];
  alignment?: number;
}

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

/** Serialises the header: magic, counts, metadata, tensor infos, padding to the data section. */
export function serializeGgufHeader(file: HeaderOnlyGgufFile): Buffer {
  const alignment = file.alignment ?? DEFAULT_ALIGNMENT;
  const metadata = new Map(file.metadata);
  if (alignment !== DEFAULT_ALIGNMENT) {
    metadata.set("general.alignment", { type: GgufValueType.Uint32, value: alignment });
  }
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(file.tensors.length);
  sink.u64(metadata.size);
  for (const [key, entry] of metadata) {
    sink.string(key);
    writeMetadataValue(sink, entry);
  }
  let offset = 0;
  for (const tensor of file.tensors) {
    sink.string(tensor.name);
    sink.u32(tensor.dims.length);
    for (const dim of tensor.dims) sink.u64(dim);
    sink.u32(tensor.type);
    sink.u64(offset);
    offset = alignUp(offset + tensorByteLength(tensor), alignment);
  }
  sink.pad(alignment);
  return sink.bytes();
}

/** Writes through `name.partial-PID` and renames, so a crash never leaves a truncated model under `path`. */
function writeThroughPartial(path: string, write: (descriptor: number) => void): void {
  const partial = `${path}.partial-${process.pid}`;
  const descriptor = openSync(partial, "w");
  try {
    write(descriptor);
    closeSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, path);
}

/**
 * Writes a GGUF v3 file. Tensor data is produced one tensor at a time and streamed to disk; the file
 * appears under its final name only once complete, so a crash never leaves a truncated model behind.
 */
export function writeGguf(path: string, file: GgufFile): void {
  const alignment = file.alignment ?? DEFAULT_ALIGNMENT;
  writeThroughPartial(path, (descriptor) => {
    writeSync(descriptor, serializeGgufHeader(file));
    const padding = Buffer.alloc(alignment);
    for (const tensor of file.tensors) {
      const data = tensor.data();
      const expected = tensorByteLength(tensor);
      if (data.byteLength !== expected) {
        throw new Error(`tensor ${tensor.name}: ${data.byteLength} bytes of data, expected ${expected}`);
      }
      writeSync(descriptor, data);
      const rest = alignUp(expected, alignment) - expected;
      if (rest > 0) writeSync(descriptor, padding, 0, rest);
    }
  });
}

/**
 * Writes a GGUF whose data section is a hole: the header, then the file extended to its full length
 * without writing a byte. The engine reads the header and never touches the data in a dry run, so a
 * full-scale model (hundreds of GB) takes the header's few MB of disk.
 */
export function writeSparseGguf(path: string, file: HeaderOnlyGgufFile): { logicalBytes: number } {
  const alignment = file.alignment ?? DEFAULT_ALIGNMENT;
  const header = serializeGgufHeader(file);
  let dataBytes = 0;
  for (const tensor of file.tensors) dataBytes = alignUp(dataBytes + tensorByteLength(tensor), alignment);
  writeThroughPartial(path, (descriptor) => {
    writeSync(descriptor, header);
    ftruncateSync(descriptor, header.length + dataBytes);
  });
  return { logicalBytes: header.length + dataBytes };
}
