import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bootstrapMeanInterval, quantile } from "./bootstrap.js";
import { mcnemarExactP } from "./mcnemar.js";
import { passAtK, passHatK } from "./pass-at-k.js";

const passCases: [number, number, number][] = [
  [1, 0, 1],
  [1, 1, 1],
  [3, 1, 1],
  [3, 1, 2],
  [3, 2, 2],
  [5, 3, 3],
  [10, 4, 5],
  [20, 7, 10],
  [100, 13, 10],
  [200, 199, 50],
];
const mcnemarCases: [number, number][] = [
  [0, 0],
  [1, 0],
  [0, 5],
  [3, 7],
  [7, 3],
  [2, 9],
  [10, 10],
  [25, 12],
  [40, 61],
];
// Per-task differences of pass rates over 20 tasks and 3 epochs: values in {−1, −⅔, −⅓, 0, ⅓, ⅔, 1}.
const differences = [0, -1 / 3, 0, 2 / 3, -1, 0, 1 / 3, 0, -2 / 3, 0, 1, 0, -1 / 3, 0, 0, 1 / 3, -1, 0, 2 / 3, -1 / 3];

/** The reference values from stats-reference.py: exact fractions and an independent mulberry32, in Python. */
function reference() {
  const result = spawnSync("python3", [join(import.meta.dirname, "stats-reference.py")], {
    input: JSON.stringify({
      passAtK: passCases,
      mcnemar: mcnemarCases,
      bootstrap: { values: differences, seed: 1, resamples: 10_000 },
    }),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as {
    passAtK: number[];
    passHatK: number[];
    mcnemar: number[];
    bootstrap: { low: number; high: number };
  };
}

describe("eval statistics against an independent Python reference", () => {
  const expected = reference();

  it("pass@k and pass^k match 1 − C(n−c,k)/C(n,k) and C(c,k)/C(n,k) to 1e-9", () => {
    passCases.forEach(([n, c, k], index) => {
      expect(Math.abs(passAtK(n, c, k) - (expected.passAtK[index] as number))).toBeLessThan(1e-9);
      expect(Math.abs(passHatK(n, c, k) - (expected.passHatK[index] as number))).toBeLessThan(1e-9);
    });
  });

  it("McNemar's exact p matches the exact binomial tail to 1e-9", () => {
    mcnemarCases.forEach(([b, c], index) => {
      expect(Math.abs(mcnemarExactP(b, c) - (expected.mcnemar[index] as number))).toBeLessThan(1e-9);
    });
  });

  it("the seeded 10,000-resample bootstrap interval matches to 1e-9", () => {
    const interval = bootstrapMeanInterval(differences, { seed: 1, resamples: 10_000 });
    expect(Math.abs(interval.low - expected.bootstrap.low)).toBeLessThan(1e-9);
    expect(Math.abs(interval.high - expected.bootstrap.high)).toBeLessThan(1e-9);
    expect(interval.low).toBeLessThan(interval.mean);
    expect(interval.high).toBeGreaterThan(interval.mean);
  });
});

describe("eval statistics by hand", () => {
  it("pass@k: a few values worked out on paper", () => {
    expect(passAtK(3, 1, 2)).toBeCloseTo(2 / 3, 12); // 1 − C(2,2)/C(3,2) = 1 − 1/3
    expect(passHatK(3, 2, 2)).toBeCloseTo(1 / 3, 12); // C(2,2)/C(3,2)
    expect(passAtK(4, 0, 2)).toBe(0);
    expect(passHatK(4, 4, 3)).toBe(1);
    expect(() => passAtK(2, 3, 1)).toThrow(RangeError);
  });

  it("McNemar: 0 vs 5 discordant pairs gives 2/32", () => {
    expect(mcnemarExactP(0, 5)).toBeCloseTo(2 / 32, 15);
    expect(mcnemarExactP(4, 4)).toBe(1);
  });

  it("quantile type 7 interpolates between order statistics", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it("the same seed gives the same interval; another seed another", () => {
    const a = bootstrapMeanInterval(differences, { seed: 7 });
    expect(bootstrapMeanInterval(differences, { seed: 7 })).toEqual(a);
    expect(bootstrapMeanInterval(differences, { seed: 8 })).not.toEqual(a);
  });
});
