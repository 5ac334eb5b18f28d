/**
 * Summary statistics for repeated measurements: median, p10/p90, a seeded bootstrap 95 % confidence
 * interval of the median, and the coefficient of variation. Seeded so that two runs over the same
 * samples print the same interval.
 */
import { seededRandom } from "../util/seeded-random.js";

export { seededRandom };

export interface Summary {
  n: number;
  median: number;
  p10: number;
  p90: number;
  mean: number;
  /** Standard deviation ÷ mean (0 for one sample). */
  cv: number;
  /** 95 % bootstrap confidence interval of the median. */
  ci95: [number, number];
}

/** Linear interpolation between closest ranks; NaN for no values. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sortedPercentile(sorted, fraction);
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

function sortedPercentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * fraction;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

/** Percentile bootstrap of the median: `resamples` draws with replacement, the 2.5th and 97.5th medians. */
export function bootstrapMedianInterval(values: readonly number[], seed = 1, resamples = 2000): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(values.length);
  for (let round = 0; round < resamples; round++) {
    for (let index = 0; index < values.length; index++)
      draw[index] = values[Math.floor(random() * values.length)] as number;
    draw.sort();
    medians[round] = sortedPercentile(draw as unknown as number[], 0.5);
  }
  medians.sort();
  const sorted = medians as unknown as number[];
  return [sortedPercentile(sorted, 0.025), sortedPercentile(sorted, 0.975)];
}

/** Everything above for one series; undefined when no value is finite. */
export function summarize(values: readonly number[], seed = 1): Summary | undefined {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return undefined;
  const mean = finite.reduce((sum, value) => sum + value, 0) / finite.length;
  const variance =
    finite.length > 1 ? finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (finite.length - 1) : 0;
  return {
    n: finite.length,
    median: percentile(finite, 0.5),
    p10: percentile(finite, 0.1),
    p90: percentile(finite, 0.9),
    mean,
    cv: mean === 0 ? 0 : Math.sqrt(variance) / Math.abs(mean),
    ci95: bootstrapMedianInterval(finite, seed),
  };
}
