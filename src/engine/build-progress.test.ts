import { describe, expect, it } from "vitest";
import { parseBuildProgress } from "./build-progress.js";

describe("parseBuildProgress", () => {
  it("reads make's percentage", () => {
    expect(parseBuildProgress("[ 45%] Building CXX object src/llama.cpp.o")).toBe(45);
    expect(parseBuildProgress("[100%] Built target llama-server")).toBe(100);
  });
  it("reads ninja's step counter", () => {
    expect(parseBuildProgress("[12/48] Building CXX object x.o")).toBe(25);
  });
  it("ignores other lines", () => {
    expect(parseBuildProgress("-- Configuring done")).toBeUndefined();
  });
});
