import { seededRandom } from "../../util/seeded-random.js";

export interface Interval {
  mean: number;
  low: number;
  high: number;
}

/** The q-quantile of sorted values by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const lower = sorted[below] as number;
  return lower + (position - below) * ((sorted[above] as number) - lower);
}

/**
 * A percentile bootstrap interval of the mean of per-task values, resampling tasks with replacement:
 * tasks are the unit that varies, epochs are already averaged inside each value. Seeded (mulberry32), so
 * the same inputs always print the same interval. Index i = floor(u · n) for each draw u.
 */
export function bootstrapMeanInterval(
  values: readonly number[],
  { resamples = 10_000, seed = 1, level = 0.95 } = {},
): Interval {
  const n = values.length;
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  const random = seededRandom(seed);
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] as number;
    means[r] = sum / n;
  }
  means.sort((a, b) => a - b);
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  return { mean, low: quantile(means, (1 - level) / 2), high: quantile(means, 1 - (1 - level) / 2) };
}
