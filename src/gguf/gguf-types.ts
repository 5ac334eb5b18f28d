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

/** Tensor element types we write (a subset of ggml_type). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
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
  const elements = tensor.dims.reduce((product, dim) => product * dim, 1);
  return elements * (tensor.type === GgmlType.F16 ? 2 : 4);
}
