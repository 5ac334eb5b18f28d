import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeGgufHeader } from "../gguf/gguf-writer.js";
import { loadModelHeaders } from "./model-source.js";
import { realShapeHeader } from "./real-model-shapes.js";
import { ensureSparseModel } from "./sparse-model-files.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-model-source-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("the model a fit reads", () => {
  it("reads a header copied from another machine (the header bytes alone) as the whole file", async () => {
    const copied = join(directory, "gemma-header-only.gguf");
    writeFileSync(copied, serializeGgufHeader(realShapeHeader("gemma-3-27b")));
    expect(statSync(copied).size).toBeLessThan(1024 * 1024);
    const [fromCopy] = await loadModelHeaders(copied);
    const [fromFile] = await loadModelHeaders(ensureSparseModel(directory, "gemma-3-27b"));
    expect(fromCopy?.header.tensors).toEqual(fromFile?.header.tensors);
    expect(fromCopy?.header.metadata["gemma3.attention.sliding_window"]).toBe(1024);
  });

  it("names a missing file", async () => {
    await expect(loadModelHeaders(join(directory, "missing.gguf"))).rejects.toThrow("no such model file");
  });
});
