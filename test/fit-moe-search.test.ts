import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../src/config/load-config.js";
import { agentEngineArgs } from "../src/engine/engine-args.js";
import { engineDryRun } from "../src/fit/engine-dry-run.js";
import { readGgufHeader } from "../src/fit/model-header.js";
import { weightsSize } from "../src/fit/weights-size.js";
import { runCli } from "./cli.js";
import { writeMoeTestModel } from "./support/moe-test-model.js";

const llamaServer = inject("llamaServer");
const testModel = inject("testModel");
const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-moe-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Launch {
  cpuMoeLayers: number;
  outOfMemory: boolean;
  decodeTokensPerSecond: number;
  ttftMs?: number;
  hostBytes?: number;
  gpuBytes?: number;
}

describe("switchyard fit moe --search, launched for real", () => {
  it("launches N_min…N_min+2 under load, keeps the fastest, and --apply writes it where serve's engine launch reads it", async () => {
    const model = join(directory, "moe.gguf");
    await writeMoeTestModel(testModel, model);
    const config = join(directory, "config.json");
    // A config the user wrote: an old --n-cpu-moe to replace, a flag and a setting to keep.
    writeFileSync(config, JSON.stringify({ engine: { extraArgs: ["--n-cpu-moe", "7", "--threads", "2"], slots: 2 } }));
    const result = await runCli(
      [
        "fit",
        "moe",
        model,
        "--ctx",
        "4k",
        "--ram",
        "64GiB",
        "--margin",
        "0",
        "--search",
        "--load",
        "1k",
        "--apply",
        "--json",
      ],
      { SWITCHYARD_LLAMA_SERVER: llamaServer, SWITCHYARD_CONFIG: config },
    );
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.search.simulated).toBe(false);
    expect(output.search.load).toBe(1024);
    const launches = output.search.launches as Launch[];
    // Two blocks, so N_min = 0 and at most three launches: 0, 1, 2; each measured on a live engine.
    expect(launches.map((launch) => launch.cpuMoeLayers)).toEqual([0, 1, 2]);
    expect(result.stderr.match(/^llama-server --n-cpu-moe \d+ at http:\/\/127\.0\.0\.1:\d+$/gm)).toHaveLength(3);
    for (const launch of launches) {
      expect(launch.outOfMemory).toBe(false);
      expect(launch.decodeTokensPerSecond).toBeGreaterThan(0);
      expect(launch.ttftMs).toBeGreaterThan(0);
      // The engine's peak resident memory holds at least the 37.5 MiB of weights it read.
      expect(launch.hostBytes).toBeGreaterThan(37 * 2 ** 20);
      expect(launch.gpuBytes).toBeUndefined();
    }
    const fastest = [...launches].sort((a, b) => b.decodeTokensPerSecond - a.decodeTokensPerSecond)[0] as Launch;
    expect(output.search.chosen.cpuMoeLayers).toBe(fastest.cpuMoeLayers);
    expect(output.applied).toEqual({ cpuMoeLayers: fastest.cpuMoeLayers, context: 4096 });

    const written = JSON.parse(readFileSync(config, "utf8"));
    const chosen = fastest.cpuMoeLayers;
    expect(written.engine).toEqual({
      extraArgs: ["--threads", "2", ...(chosen > 0 ? ["--n-cpu-moe", String(chosen)] : [])],
      slots: 2,
      contextSize: 4096,
    });
    // The engine serve launches with these settings holds back exactly the planned expert tensors.
    const args = agentEngineArgs(loadConfig(config).engine);
    const report = await engineDryRun({ llamaServer, model, args });
    const header = await readGgufHeader(model);
    expect(report.overrides.map((override) => override.tensor).sort()).toEqual(
      weightsSize(header.tensors, chosen).hostExpertTensors.sort(),
    );
  }, 300_000);

  it("--simulate searches on the simulated device without launching, and says so", async () => {
    const model = join(directory, "moe-header.gguf");
    await writeMoeTestModel(testModel, model);
    const result = await runCli([
      "fit",
      "moe",
      model,
      "--ctx",
      "4k",
      "--gpu",
      "24GiB",
      "--ram",
      "64GiB",
      "--search",
      "--simulate",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("--search ran on a simulated device");
    expect(result.stderr).not.toContain("llama-server --n-cpu-moe");
  });
});
