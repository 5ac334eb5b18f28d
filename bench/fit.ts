// npm run bench:fit — how long `fit` takes: the formula path (header read, memory model, largest
// context search) on each real shape's header-only sparse GGUF, the largest being DeepSeek-V3 with
// over 1,000 tensors; and `--measure`, the engine's own dry run, on each. The acceptance budget is
// ≤ 1 s for the formula path on a 1,000-tensor header and ≤ 5 s for --measure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/load-config.js";
import { locateEngine } from "../src/engine/engine-locate.js";
import { engineDryRun } from "../src/fit/engine-dry-run.js";
import { planFit } from "../src/fit/fit-plan.js";
import { readGgufHeader } from "../src/fit/model-header.js";
import { readModelHparams } from "../src/fit/model-hparams.js";
import { REAL_SHAPE_NAMES } from "../src/fit/real-model-shapes.js";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";
import { median, printTable, writeResults } from "./bench-support.js";

const RUNS = 5;
const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-fit-"));
const engine = await locateEngine(loadConfig());
const results: Array<Record<string, number | string>> = [];
try {
  for (const name of REAL_SHAPE_NAMES) {
    const path = ensureSparseModel(directory, name);
    const formula: number[] = [];
    let tensors = 0;
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const header = await readGgufHeader(path);
      tensors = header.tensors.length;
      planFit(readModelHparams(header.metadata), header.tensors, {
        context: "max",
        parallel: 4,
        unified: false,
        ubatch: 512,
        swaFull: false,
        cache: { k: "q8_0", v: "q8_0" },
        cpuMoeLayers: 0,
        devices: [
          { name: "GPU0", kind: "gpu", bytes: 24 * 2 ** 30 },
          { name: "host", kind: "host", bytes: 64 * 2 ** 30 },
        ],
        marginBytes: 2 ** 30,
      });
      formula.push(performance.now() - start);
    }
    const measure: number[] = [];
    if (engine) {
      for (let run = 0; run < 3; run++) {
        const start = performance.now();
        await engineDryRun({ llamaServer: engine.path, model: path, args: ["-c", "32768", "-np", "4"] });
        measure.push(performance.now() - start);
      }
    }
    results.push({
      shape: name,
      tensors,
      formulaMedianMs: Math.round(median(formula) * 10) / 10,
      measureMedianMs: engine ? Math.round(median(measure)) : "no engine",
    });
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
printTable(
  ["shape", "tensors", "formula path (median ms)", "--measure dry run (median ms)"],
  results.map((row) => [row.shape ?? "", row.tensors ?? 0, row.formulaMedianMs ?? 0, row.measureMedianMs ?? 0]),
);
console.log(`results: ${writeResults("fit", results)}`);
