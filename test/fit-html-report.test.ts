import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";
import { runCli } from "./cli.js";
import { ARTIFACTS, readReportInChromium } from "./support/report-in-chromium.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-html-"));

describe("switchyard fit --html in Chromium", () => {
  afterAll(async () => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("draws memory by part per context and per --n-cpu-moe against each device's budget", async () => {
    const model = ensureSparseModel(directory, "qwen3.5-35b-a3b");
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "fit-report.html");
    rmSync(file, { force: true });
    const args = ["fit", model, "--ctx", "64k", "--parallel", "2", "--gpu", "24GiB", "--ram", "64GiB"];
    const result = await runCli([...args, "--html", file]);
    expect(result.code, result.stderr).toBe(0);
    const picture = JSON.parse(
      /<script id="fit-picture" type="application\/json">(.*?)<\/script>/s.exec(readFileSync(file, "utf8"))?.[1] ?? "",
    );
    // The plan's own numbers are the ones drawn: the 64k point equals `fit --json`'s GPU line.
    const json = JSON.parse((await runCli([...args, "--json"])).stdout).plans[0];
    const at64k = picture.contexts.find((point: { x: number }) => point.x === 65536).devices[0];
    expect(at64k.used).toBeCloseTo(json.devices[0].used, 0);
    expect(at64k.kv + at64k.state).toBeCloseTo(json.devices[0].kvState, 0);
    expect(at64k.state).toBeCloseTo(json.bytes.state, 0);
    expect(picture.contexts.map((point: { x: number }) => point.x)).toContain(json.maxContext);
    // --n-cpu-moe 0 … 40: GPU weights only shrink, the host's only grow.
    const moe = picture.cpuMoe.points as Array<{ devices: Array<{ weights: number }> }>;
    expect(moe).toHaveLength(41);
    expect(moe[40]?.devices[0]?.weights).toBeLessThan((moe[0]?.devices[0]?.weights ?? 0) / 4);
    expect(moe[40]?.devices[1]?.weights).toBeGreaterThan(0);

    const { charts, failures } = await readReportInChromium(file, 4, "fit-report.png", 1400);
    expect(failures).toEqual([]);
    expect(charts.map((chart) => chart.title)).toEqual([
      "GPU0: memory by part per context (×2 slots, --n-cpu-moe 0) against 24 GiB",
      "host RAM: memory by part per context (×2 slots, --n-cpu-moe 0) against 64 GiB",
      "GPU0: memory by part per --n-cpu-moe at 64k×2",
      "host RAM: memory by part per --n-cpu-moe at 64k×2",
    ]);
    for (const chart of charts)
      expect(chart.series).toEqual(["margin", "compute", "recurrent state", "KV cache", "weights", "budget"]);
    const contexts = picture.contexts.length;
    expect(charts.map((chart) => chart.points)).toEqual([contexts * 6, contexts * 6, 41 * 6, 41 * 6]);
    for (const chart of charts) expect(chart.painted).toBeGreaterThan(1000);
  }, 180_000);
});
