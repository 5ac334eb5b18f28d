import { describe, expect, it } from "vitest";
import { assertJsonDepth } from "./json-depth.js";

const nested = (depth: number) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;

describe("assertJsonDepth", () => {
  it("accepts nesting up to the limit and rejects one level more with a 400 naming the limit", () => {
    expect(() => assertJsonDepth(nested(512))).not.toThrow();
    expect(() => assertJsonDepth(nested(513))).toThrow(/nests deeper than 512 levels/);
    expect(() => assertJsonDepth({ a: [{ b: 1 }], c: "x" }, 3)).not.toThrow();
    expect(() => assertJsonDepth({ a: [{ b: {} }] }, 3)).toThrow();
  });

  it("walks 100,000 levels without overflowing the stack", () => {
    expect(() => assertJsonDepth(nested(100_000))).toThrow(/nests deeper/);
  });
});
