import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeTotalMib, EngineMemoryLog, kvMib, weightsTotalMib } from "./engine-memory-log.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8").split("\n");

describe("reading llama-server's memory lines", () => {
  it("takes KV, compute and the table from the dry run, and the mapped weights from the real load", () => {
    const log = new EngineMemoryLog();
    const phases: string[] = [];
    for (const line of fixture("llama-server-v0.5.0-llama-3.1-8b-dry-run.txt")) {
      log.add(line);
      if (phases.at(-1) !== log.phase) phases.push(log.phase);
    }
    expect(phases).toEqual(["dry-run", "measured", "loaded"]);
    expect(log.report.kvCaches).toEqual([{ mib: 512, cells: 4096, layers: 32, seqs: 1, streams: 1 }]);
    expect(kvMib(log.report)).toBe(512);
    expect(computeTotalMib(log.report)).toBe(120.01);
    expect(log.report.breakdown).toEqual({ Host: { model: 4932, context: 512, compute: 120 } });
    expect(log.report.projectedHostMib).toBe(5564);
    // The dry run's "model buffer size = 0.00" (no_alloc) is not the weights: only the real load's is.
    expect(log.report.weightsMib).toEqual({ CPU_Mapped: 4932.8 });
    expect(weightsTotalMib(log.report)).toBe(4932.8);
  });

  it("collects each overridden tensor once, with its buffer", () => {
    const log = new EngineMemoryLog();
    for (const line of fixture("llama-server-v0.5.0-gpt-oss-n-cpu-moe-5.txt")) log.add(line);
    expect(log.report.overrides.slice(0, 2)).toEqual([
      { tensor: "blk.0.ffn_gate_exps.weight", buffer: "CPU" },
      { tensor: "blk.0.ffn_down_exps.weight", buffer: "CPU" },
    ]);
    expect(log.report.overrides.map((override) => override.tensor)).toContain("blk.0.ffn_up_exps.bias");
  });

  it("reads a GPU device row in the engine's template_gpu layout", () => {
    // Formatted with common/fit.cpp's template_gpu, not recorded: this machine has no GPU.
    const log = new EngineMemoryLog();
    log.add(
      "0.00.312.902 I common_memory_breakdown_print: |   - CUDA0 (RTX 4090)     | 24080 =  1201 + (22033 = 20000 +    1500 +     533) +      846 |",
    );
    log.add(
      "0.00.312.902 I common_memory_breakdown_print: |   - Host                 |                  620 =   600 +       0 +      20                |",
    );
    expect(log.report.breakdown).toEqual({
      "CUDA0 (RTX 4090)": { model: 20000, context: 1500, compute: 533 },
      Host: { model: 600, context: 0, compute: 20 },
    });
  });
});
