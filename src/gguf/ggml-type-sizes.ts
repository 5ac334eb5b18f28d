/**
 * Block layout of every ggml tensor type a GGUF can hold: elements per block and bytes per block.
 * Source: ggml/include/ggml.h (type ids) and the `static_assert(sizeof(block_…))` lines of
 * ggml/src/ggml-common.h in the llama.cpp tree the engine is built from.
 */
export interface GgmlTypeLayout {
  name: string;
  blockElements: number;
  blockBytes: number;
}

const K = 256;

export const GGML_TYPE_LAYOUTS: Readonly<Record<number, GgmlTypeLayout>> = {
  0: { name: "F32", blockElements: 1, blockBytes: 4 },
  1: { name: "F16", blockElements: 1, blockBytes: 2 },
  2: { name: "Q4_0", blockElements: 32, blockBytes: 18 },
  3: { name: "Q4_1", blockElements: 32, blockBytes: 20 },
  6: { name: "Q5_0", blockElements: 32, blockBytes: 22 },
  7: { name: "Q5_1", blockElements: 32, blockBytes: 24 },
  8: { name: "Q8_0", blockElements: 32, blockBytes: 34 },
  9: { name: "Q8_1", blockElements: 32, blockBytes: 36 },
  10: { name: "Q2_K", blockElements: K, blockBytes: 84 },
  11: { name: "Q3_K", blockElements: K, blockBytes: 110 },
  12: { name: "Q4_K", blockElements: K, blockBytes: 144 },
  13: { name: "Q5_K", blockElements: K, blockBytes: 176 },
  14: { name: "Q6_K", blockElements: K, blockBytes: 210 },
  15: { name: "Q8_K", blockElements: K, blockBytes: 292 },
  16: { name: "IQ2_XXS", blockElements: K, blockBytes: 66 },
  17: { name: "IQ2_XS", blockElements: K, blockBytes: 74 },
  18: { name: "IQ3_XXS", blockElements: K, blockBytes: 98 },
  19: { name: "IQ1_S", blockElements: K, blockBytes: 50 },
  20: { name: "IQ4_NL", blockElements: 32, blockBytes: 18 },
  21: { name: "IQ3_S", blockElements: K, blockBytes: 110 },
  22: { name: "IQ2_S", blockElements: K, blockBytes: 82 },
  23: { name: "IQ4_XS", blockElements: K, blockBytes: 136 },
  24: { name: "I8", blockElements: 1, blockBytes: 1 },
  25: { name: "I16", blockElements: 1, blockBytes: 2 },
  26: { name: "I32", blockElements: 1, blockBytes: 4 },
  27: { name: "I64", blockElements: 1, blockBytes: 8 },
  28: { name: "F64", blockElements: 1, blockBytes: 8 },
  29: { name: "IQ1_M", blockElements: K, blockBytes: 56 },
  30: { name: "BF16", blockElements: 1, blockBytes: 2 },
  34: { name: "TQ1_0", blockElements: K, blockBytes: 54 },
  35: { name: "TQ2_0", blockElements: K, blockBytes: 66 },
  39: { name: "MXFP4", blockElements: 32, blockBytes: 17 },
  40: { name: "NVFP4", blockElements: 64, blockBytes: 36 },
  41: { name: "Q1_0", blockElements: 128, blockBytes: 18 },
  42: { name: "Q2_0", blockElements: 64, blockBytes: 18 },
};

export function ggmlTypeLayout(type: number): GgmlTypeLayout {
  const layout = GGML_TYPE_LAYOUTS[type];
  if (!layout) throw new Error(`unknown ggml tensor type ${type}`);
  return layout;
}

export function ggmlTypeByName(name: string): number {
  const wanted = name.toUpperCase();
  for (const [id, layout] of Object.entries(GGML_TYPE_LAYOUTS)) {
    if (layout.name === wanted) return Number(id);
  }
  throw new Error(`unknown ggml tensor type "${name}"`);
}

/** Bytes of a row of `elements` values (ggml_row_size): whole blocks only. */
export function ggmlRowBytes(type: number, elements: number): number {
  const { blockElements, blockBytes } = ggmlTypeLayout(type);
  if (elements % blockElements !== 0) {
    throw new Error(`${elements} elements are not a whole number of ${ggmlTypeLayout(type).name} blocks`);
  }
  return (elements / blockElements) * blockBytes;
}

/** ggml_nbytes of a contiguous tensor: rows of dims[0] elements. */
export function ggmlTensorBytes(type: number, dims: readonly number[]): number {
  const [inner = 1, ...outer] = dims;
  return ggmlRowBytes(type, inner) * outer.reduce((product, dim) => product * dim, 1);
}
