/** The generator lives in util (the bench seeds its bootstrap with it too); the model bytes depend on it. */
export { seededRandom } from "../util/seeded-random.js";

const SQRT3 = Math.sqrt(3);

/** Fills `out` with values of mean 0 and standard deviation `scale` (uniform, cheaper than Gaussian). */
export function fillUniform(out: Float32Array, random: () => number, scale: number): Float32Array {
  const width = 2 * SQRT3 * scale;
  for (let index = 0; index < out.length; index++) out[index] = (random() - 0.5) * width;
  return out;
}
