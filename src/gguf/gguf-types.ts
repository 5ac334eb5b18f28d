import { ggmlTensorBytes } from "./ggml-type-sizes.js";

/** Value types of GGUF metadata, numbered as in the GGUF specification. */
export enum GgufValueType {
  Uint8 = 0,
  Int8 = 1,
  Uint16 = 2,
  Int16 = 3,
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  Uint64 = 10,
  Int64 = 11,
  Float64 = 12,
}

/** Tensor element types, numbered as ggml_type (ggml/include/ggml.h); sizes in ggml-type-sizes.ts. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q8_0 = 8,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  BF16 = 30,
  MXFP4 = 39,
}

export type GgufScalar = number | bigint | boolean | string;

export type GgufMetadataValue =
  | { type: Exclude<GgufValueType, GgufValueType.Array>; value: GgufScalar }
  | {
      type: GgufValueType.Array;
      itemType: Exclude<GgufValueType, GgufValueType.Array>;
      value: readonly GgufScalar[];
    };

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the innermost (contiguous) dimension. */
  dims: readonly number[];
  type: GgmlType;
  /** Produces the tensor's bytes when the writer reaches it, so large models never sit in memory whole. */
  data: () => Uint8Array;
}

export interface GgufFile {
  metadata: ReadonlyMap<string, GgufMetadataValue>;
  tensors: readonly GgufTensor[];
  alignment?: number;
}

export function tensorByteLength(tensor: Pick<GgufTensor, "dims" | "type">): number {
  return ggmlTensorBytes(tensor.type, tensor.dims);
}
