/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same model bytes everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const SQRT3 = Math.sqrt(3);

/** Fills `out` with values of mean 0 and standard deviation `scale` (uniform, cheaper than Gaussian). */
export function fillUniform(out: Float32Array, random: () => number, scale: number): Float32Array {
  const width = 2 * SQRT3 * scale;
  for (let index = 0; index < out.length; index++) out[index] = (random() - 0.5) * width;
  return out;
}
