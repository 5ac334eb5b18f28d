import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { engineDryRun } from "../src/fit/engine-dry-run.js";
import { computeTotalMib, kvMib } from "../src/fit/engine-memory-log.js";
import { type FitRequest, planFit } from "../src/fit/fit-plan.js";
import { readGgufHeader } from "../src/fit/model-header.js";
import { readModelHparams } from "../src/fit/model-hparams.js";
import type { RealShapeName } from "../src/fit/real-model-shapes.js";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";
import { weightsSize } from "../src/fit/weights-size.js";
import { runCli } from "./cli.js";

const llamaServer = inject("llamaServer");
const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-cli-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const MIB = 2 ** 20;

/** The engine's projection (what its dry run would allocate) and its compute share, MiB, at the given flags. */
async function engineProjection(model: string, flags: string[]): Promise<{ total: number; compute: number }> {
  const report = await engineDryRun({ llamaServer, model, args: flags, timeoutMs: 120_000 });
  const weights = Object.values(report.breakdown).reduce((sum, row) => sum + row.model, 0);
  const compute = computeTotalMib(report);
  return { total: weights + kvMib(report) + report.stateMib + compute, compute };
}

describe("switchyard fit", () => {
  it("prints the plan as JSON: four numbers per device, verdict, inputs, flags", async () => {
    const model = ensureSparseModel(directory, "qwen3.5-35b-a3b");
    const result = await runCli([
      "fit",
      model,
      "--ctx",
      "64k",
      "--parallel",
      "4",
      "--gpu",
      "24GiB",
      "--ram",
      "64GiB",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [plan] = JSON.parse(result.stdout).plans;
    expect(plan.devices[0]).toMatchObject({ name: "GPU0", kind: "gpu", fits: true });
    expect(plan.flags).toEqual([
      "-c",
      "65536",
      "-np",
      "4",
      "-ctk",
      "f16",
      "-ctv",
      "f16",
      "-fa",
      "auto",
      "-ngl",
      "999",
      "-no-kvu",
    ]);
    expect(plan.inputs).toContain("30 recurrent layers hold 62.8 MiB per slot");
    expect(plan.maxContext % (256 * 4)).toBe(0);
  });

  it("--measure prints the engine's dry run beside the estimate, total within 1 %", async () => {
    const model = ensureSparseModel(directory, "gemma-3-27b");
    const result = await runCli(["fit", model, "--ctx", "32k", "--ram", "64GiB", "--measure", "--json"], {
      SWITCHYARD_LLAMA_SERVER: llamaServer,
    });
    expect(result.code, result.stderr).toBe(0);
    const [plan] = JSON.parse(result.stdout).plans;
    const byName = Object.fromEntries(plan.measured.map((row: { name: string }) => [row.name, row]));
    expect(byName.KV.error).toBe(0);
    expect(Math.abs(byName.total.error)).toBeLessThan(0.01);
  });

  it("says clearly when the model file is missing", async () => {
    const result = await runCli(["fit", join(directory, "nope.gguf"), "--ram", "8GiB"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no such model file");
  });

  /**
   * Max context: for a budget B the chosen context fits by the engine's own projection (≤ B − margin)
   * and the next step of 256·streams does not.
   */
  it.each([
    ["llama-3.1-8b", 1, true, 9 * 1024],
    ["gemma-3-27b", 1, true, 20 * 1024],
    ["gpt-oss-20b", 4, false, 14 * 1024],
    ["qwen3.5-35b-a3b", 2, false, 23 * 1024],
  ] as const)(
    "%s np %i unified %s: the largest context fits a %i MiB budget; one step more does not",
    async (name, parallel, unified, budgetMib) => {
      const path = ensureSparseModel(directory, name as RealShapeName);
      const header = await readGgufHeader(path);
      const model = readModelHparams(header.metadata);
      const request: FitRequest = {
        context: "max",
        parallel,
        unified,
        ubatch: 512,
        swaFull: false,
        cache: { k: "f16", v: "f16" },
        cpuMoeLayers: 0,
        devices: [{ name: "host", kind: "host", bytes: budgetMib * MIB }],
        marginBytes: 1024 * MIB,
      };
      const plan = planFit(model, header.tensors, request);
      const step = 256 * (unified ? 1 : parallel);
      expect(plan.maxContext).toBeGreaterThan(0);
      expect(plan.maxContext % step).toBe(0);
      const flags = (context: number) => ["-c", String(context), "-np", String(parallel), unified ? "-kvu" : "-no-kvu"];
      const usable = budgetMib - 1024;
      expect((await engineProjection(path, flags(plan.maxContext))).total).toBeLessThanOrEqual(usable);
      // One step more does not fit by the engine's own projection: no tolerance for the compute estimate.
      const next = await engineProjection(path, flags(plan.maxContext + step));
      expect(next.total).toBeGreaterThan(usable);
      process.stdout.write(
        `max context ${name}: ${plan.maxContext}; engine at next step ${next.total.toFixed(1)} MiB vs ${usable} usable\n`,
      );
    },
  );

  it.each([0, 5, 10])(
    "--n-cpu-moe %i: the tensors the engine's override log moves are the estimator's set",
    async (layers) => {
      for (const name of ["qwen3.5-35b-a3b", "gpt-oss-20b"] as const) {
        const path = ensureSparseModel(directory, name);
        const header = await readGgufHeader(path);
        const ours = weightsSize(header.tensors, layers).hostExpertTensors.sort();
        const report = await engineDryRun({
          llamaServer,
          model: path,
          args: ["-c", "4096", "--n-cpu-moe", String(layers)],
        });
        expect(report.overrides.map((override) => override.tensor).sort(), name).toEqual(ours);
        expect(new Set(report.overrides.map((override) => override.buffer)), name).toEqual(
          new Set(layers > 0 ? ["CPU"] : []),
        );
        if (layers > 0) expect(ours.length, name).toBeGreaterThanOrEqual(layers * 3);
      }
    },
  );

  it("fit moe --search on a simulated device picks the fastest N that fits in at most 3 launches, and says simulated", async () => {
    const model = ensureSparseModel(directory, "qwen3.5-35b-a3b");
    const result = await runCli([
      "fit",
      "moe",
      model,
      "--gpu",
      "16GiB",
      "--ram",
      "64GiB",
      "--ctx",
      "64k",
      "--search",
      "--simulate",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.search.simulated).toBe(true);
    expect(output.search.launches.length).toBeLessThanOrEqual(3);
    expect(output.search.chosen.cpuMoeLayers).toBe(output.smallest);
    expect(output.smallest).toBeGreaterThan(0);
    expect(output.plan.fits).toBe(true);
  });
});
