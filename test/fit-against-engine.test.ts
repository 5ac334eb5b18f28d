import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { engineDryRun } from "../src/fit/engine-dry-run.js";
import { computeTotalMib, kvMib, weightsTotalMib } from "../src/fit/engine-memory-log.js";
import { estimateMemory } from "../src/fit/memory-estimate.js";
import { readGgufHeader } from "../src/fit/model-header.js";
import { readModelHparams } from "../src/fit/model-hparams.js";
import { REAL_SHAPE_NAMES, type RealShapeName } from "../src/fit/real-model-shapes.js";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";

/*
 * Exact against the engine: for each real shape (header-only sparse GGUF at full scale) × ctx × slots ×
 * unified × cache type, llama-server's own --fit dry run says what it would allocate; the estimator
 * must say the same. KV and recurrent state are printed to 0.01 MiB; the dry run's weights are whole
 * MiB (the engine truncates), so weights are also checked to 0.01 MiB against the real load's mapped
 * buffer once per shape (it does not depend on the context).
 */
const llamaServer = inject("llamaServer");
const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-engine-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const MIB = 2 ** 20;
const rows: string[] = [];
afterAll(() => {
  process.stdout.write(
    `\nshape | ctx | np | unified | cache | KV ours/engine MiB | state | compute ours/engine | total error\n${rows.join("\n")}\n`,
  );
});

async function estimateFor(path: string, context: number, parallel: number, unified: boolean, cache: string) {
  const header = await readGgufHeader(path);
  const model = readModelHparams(header.metadata);
  return estimateMemory(model, header.tensors, {
    context,
    parallel,
    unified,
    ubatch: 512,
    swaFull: false,
    cache: { k: cache, v: cache },
    cpuMoeLayers: 0,
  });
}

const cells: [RealShapeName, number, number, boolean, string][] = [];
for (const name of REAL_SHAPE_NAMES)
  for (const context of [4096, 32768])
    for (const parallel of [1, 4])
      for (const unified of [true, false])
        for (const cache of ["f16", "q8_0"]) cells.push([name, context, parallel, unified, cache]);

describe("fit against llama-server's own dry run", () => {
  it.each(cells)("%s ctx %i np %i unified %s cache %s", async (name, context, parallel, unified, cache) => {
    const path = ensureSparseModel(directory, name);
    const ours = await estimateFor(path, context, parallel, unified, cache);
    const engine = await engineDryRun({
      llamaServer,
      model: path,
      args: [
        "-c",
        String(context),
        "-np",
        String(parallel),
        unified ? "-kvu" : "-no-kvu",
        "-ctk",
        cache,
        "-ctv",
        cache,
      ],
      timeoutMs: 120_000,
    });
    const host = engine.breakdown.Host;
    expect(host, "the dry run printed its memory table").toBeDefined();
    const kvOurs = ours.kvBytes / MIB;
    const stateOurs = ours.stateBytes / MIB;
    const computeOurs = ours.computeBytes / MIB;
    const computeEngine = computeTotalMib(engine);
    const totalOurs = (ours.weightsBytes + ours.kvBytes + ours.stateBytes + ours.computeBytes) / MIB;
    // The table truncates each column to whole MiB.
    const totalEngine = (host?.model ?? 0) + kvMib(engine) + engine.stateMib + computeEngine;
    rows.push(
      `${name} | ${context} | ${parallel} | ${unified} | ${cache} | ${kvOurs.toFixed(2)}/${kvMib(engine).toFixed(2)} | ` +
        `${stateOurs.toFixed(2)}/${engine.stateMib.toFixed(2)} | ${computeOurs.toFixed(1)}/${computeEngine.toFixed(1)} | ` +
        `${(((totalOurs - totalEngine) / totalEngine) * 100).toFixed(3)} %`,
    );
    expect(Math.abs(kvOurs - kvMib(engine))).toBeLessThanOrEqual(0.01);
    expect(Math.abs(stateOurs - engine.stateMib)).toBeLessThanOrEqual(0.01);
    expect(Math.floor(ours.weightsBytes / MIB)).toBe(host?.model);
    expect(Math.abs(computeOurs - computeEngine)).toBeLessThanOrEqual(Math.max(0.1 * computeEngine, 16));
    expect(Math.abs(totalOurs - totalEngine) / totalEngine).toBeLessThanOrEqual(0.01);
  });

  // The real load maps the file; the smaller shapes keep this quick on a shared machine.
  it.each(["llama-3.1-8b", "gpt-oss-20b", "qwen3.5-35b-a3b"] as const)(
    "%s: weights equal the real load's mapped buffer to 0.01 MiB",
    async (name) => {
      const path = ensureSparseModel(directory, name);
      const ours = await estimateFor(path, 256, 1, true, "f16");
      const engine = await engineDryRun({ llamaServer, model: path, args: ["-c", "256", "-np", "1"], weights: true });
      expect(Math.abs(ours.weightsBytes / MIB - weightsTotalMib(engine))).toBeLessThanOrEqual(0.01);
    },
  );
});
