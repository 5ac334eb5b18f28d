import { describe, expect, it } from "vitest";
import { toFloat16Bits } from "./float16.js";

describe("toFloat16Bits", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [Number.POSITIVE_INFINITY, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400],
    [1 / 3, 0x3555],
  ])("encodes %f as %s", (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });
  it("encodes NaN as a quiet NaN", () => {
    expect(toFloat16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
  });
});
