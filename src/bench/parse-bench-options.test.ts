import { describe, expect, it } from "vitest";
import { parseDepths, parseDuration } from "./parse-bench-options.js";

describe("bench options", () => {
  it("reads depths with k as 1024", () => {
    expect(parseDepths("0,8k,32k,86k")).toEqual([0, 8192, 32768, 88064]);
    expect(parseDepths("2048")).toEqual([2048]);
    expect(() => parseDepths("8x")).toThrow(/8x/);
  });

  it("reads durations", () => {
    expect(parseDuration("60s")).toBe(60_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("90")).toBe(90_000);
    expect(() => parseDuration("soon")).toThrow(/duration/);
  });
});
