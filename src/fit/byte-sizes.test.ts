import { describe, expect, it } from "vitest";
import { formatTokens, parseByteSize, parseTokenCount } from "./byte-sizes.js";

describe("byte and token sizes", () => {
  it("reads binary and decimal units", () => {
    expect(parseByteSize("24GiB")).toBe(24 * 2 ** 30);
    expect(parseByteSize("24G")).toBe(24 * 2 ** 30);
    expect(parseByteSize("16GB")).toBe(16e9);
    expect(parseByteSize("512 MiB")).toBe(512 * 2 ** 20);
    expect(() => parseByteSize("lots")).toThrow(/not a size/);
  });
  it("reads contexts in tokens or k", () => {
    expect(parseTokenCount("32k")).toBe(32768);
    expect(parseTokenCount("40960")).toBe(40960);
    expect(formatTokens(65536)).toBe("64k");
    expect(() => parseTokenCount("max")).toThrow(/not a context/);
  });
});
