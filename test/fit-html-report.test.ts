import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";
import { runCli } from "./cli.js";

const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");
const directory = mkdtempSync(join(tmpdir(), "switchyard-fit-html-"));

interface DrawnChart {
  title: string | null | undefined;
  series: string[];
  points: number;
  painted: number;
}

describe("switchyard fit --html in Chromium", () => {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
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

    profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1100, height: 1400 },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      timeout: 60_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    // No network: the page is self-contained, so any request other than the file itself is a failure.
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) failures.push(`request ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (globalThis as unknown as { benchCharts?: unknown[] }).benchCharts?.length === 4);
    const charts: DrawnChart[] = await page.evaluate(() =>
      (
        globalThis as unknown as {
          benchCharts: Array<{
            root: { querySelector(selector: string): { textContent: string | null } | null };
            series: Array<{ label: string }>;
            data: Array<Array<number | null>>;
            ctx: {
              canvas: { width: number; height: number };
              getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
            };
          }>;
        }
      ).benchCharts.map((chart) => {
        const canvas = chart.ctx.canvas;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] as number) > 0) painted++;
        return {
          title: chart.root.querySelector(".u-title")?.textContent,
          series: chart.series.slice(1).map((series) => series.label),
          points: chart.data
            .slice(1)
            .flat()
            .filter((value) => value !== null).length,
          painted,
        };
      }),
    );
    await page.screenshot({ path: join(ARTIFACTS, "fit-report.png"), fullPage: true });
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
