import { describe, expect, it } from "vitest";
import { bootstrapMedianInterval, percentile, seededRandom, summarize } from "./statistics.js";

describe("statistics", () => {
  it("interpolates percentiles between ranks", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10, 0, 20], 0.5)).toBe(10);
    expect(percentile([0, 10], 0.1)).toBeCloseTo(1);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it("gives the textbook standard deviation ÷ mean as CV", () => {
    // Sample standard deviation of 2,4,4,4,5,5,7,9 is 2.138; mean 5.
    const summary = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(summary?.cv).toBeCloseTo(2.138 / 5, 3);
    expect(summary?.median).toBe(4.5);
    expect(summarize([Number.NaN])).toBeUndefined();
  });

  it("bootstraps the same interval for the same seed, around the median, narrower with more samples", () => {
    const random = seededRandom(7);
    const few = Array.from({ length: 8 }, () => 100 + random() * 20);
    const many = Array.from({ length: 200 }, () => 100 + random() * 20);
    const [low, high] = bootstrapMedianInterval(few, 3);
    expect(bootstrapMedianInterval(few, 3)).toEqual([low, high]);
    expect(low).toBeLessThanOrEqual(percentile(few, 0.5));
    expect(high).toBeGreaterThanOrEqual(percentile(few, 0.5));
    const [manyLow, manyHigh] = bootstrapMedianInterval(many, 3);
    expect(manyHigh - manyLow).toBeLessThan(high - low);
    expect(manyLow).toBeGreaterThan(105);
    expect(manyHigh).toBeLessThan(115);
  });

  it("draws uniformly in [0, 1)", () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 10_000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((sum, value) => sum + value, 0) / draws.length).toBeCloseTo(0.5, 1);
  });
});
