import { describe, expect, it } from "vitest";
import { findQuant, groupGgufFiles, missingSplitParts } from "./gguf-files.js";
import { parseHfReference } from "./hf-reference.js";

const file = (path: string, size = 1) => ({ path, size });

describe("GGUF files of a repository", () => {
  it("groups files by quant, splits in order, leaving out projectors and other files", () => {
    const groups = groupGgufFiles([
      file("Qwen3-8B-Q4_K_M.gguf", 5),
      file("Q8_0/Qwen3-8B-Q8_0-00002-of-00002.gguf", 4),
      file("Q8_0/Qwen3-8B-Q8_0-00001-of-00002.gguf", 5),
      file("mmproj-F16.gguf", 1),
      file("README.md", 1),
      file("Qwen3-8B-UD-IQ2_XXS.gguf", 2),
    ]);
    expect(groups.map((group) => [group.quant, group.totalBytes])).toEqual([
      ["IQ2_XXS", 2],
      ["Q4_K_M", 5],
      ["Q8_0", 9],
    ]);
    expect(groups[2]?.files.map((entry) => entry.path)).toEqual([
      "Q8_0/Qwen3-8B-Q8_0-00001-of-00002.gguf",
      "Q8_0/Qwen3-8B-Q8_0-00002-of-00002.gguf",
    ]);
  });

  it("names the parts a split quant lacks", () => {
    const [group] = groupGgufFiles([file("M-Q4_K_M-00001-of-00003.gguf"), file("M-Q4_K_M-00003-of-00003.gguf")]);
    expect(group && missingSplitParts(group)).toEqual(["M-Q4_K_M-00002-of-00003.gguf"]);
  });

  it("says which quants exist when the asked one does not", () => {
    expect(() => findQuant(groupGgufFiles([file("M-Q4_K_M.gguf")]), "q8_0", "org/M")).toThrow(
      "org/M has no q8_0 GGUF (quants there: Q4_K_M)",
    );
  });

  it("parses hf:ORG/REPO[:QUANT]", () => {
    expect(parseHfReference("hf:unsloth/Qwen3-8B-GGUF:Q4_K_M")).toEqual({
      repo: "unsloth/Qwen3-8B-GGUF",
      quant: "Q4_K_M",
      revision: "main",
    });
    expect(parseHfReference("hf:unsloth/Qwen3-8B-GGUF")).toEqual({ repo: "unsloth/Qwen3-8B-GGUF", revision: "main" });
    expect(() => parseHfReference("hf:justarepo")).toThrow(/not a Hugging Face model/);
  });
});
