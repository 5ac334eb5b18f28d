import { describe, expect, it } from "vitest";
import { parseFlagSweep } from "./sweep.js";

describe("parseFlagSweep", () => {
  it("reads lists, ranges and the short names of llama-server flags", () => {
    expect(parseFlagSweep("ubatch=128,512")).toEqual({
      name: "ubatch",
      argument: "--ubatch-size",
      values: ["128", "512"],
    });
    expect(parseFlagSweep("threads=2..4").values).toEqual(["2", "3", "4"]);
    expect(parseFlagSweep("--cache-reuse=0,256")).toEqual({
      name: "cache-reuse",
      argument: "--cache-reuse",
      values: ["0", "256"],
    });
    expect(() => parseFlagSweep("ubatch")).toThrow(/NAME=V1,V2/);
  });
});
