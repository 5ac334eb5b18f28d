import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { renderComparisonHtml } from "../src/eval/compare-html.js";
import { compareRuns, type LoadedRun } from "../src/eval/compare-runs.js";
import type { RunRecord } from "../src/eval/run-record.js";

const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");

function run(label: string, passes: boolean[], seconds: number, tokens: number): LoadedRun {
  return {
    label,
    records: passes.map(
      (passed, index): RunRecord => ({
        task: `task-${index}`,
        epoch: 1,
        attempts: 1,
        status: "scored",
        score: passed ? 1 : 0,
        passed,
        agent: "claude",
        route: label,
        sessionId: `${label}-${index}`,
        agentStep: { exitCode: 0, durationMs: seconds * 1000 * (index + 1), timedOut: false, logBytes: 0 },
        tamper: [],
        diffBytes: 0,
        network: "unshare",
        overheadMs: 0,
        wallMs: 0,
        phasesMs: {},
        notes: [],
        tokens: { prompt: tokens * (index + 1), reused: 0, prefilled: tokens * (index + 1), output: 10 },
        costUsd: label === "cloud" ? 0.1 : 0,
      }),
    ),
  };
}

describe("the eval comparison HTML report in Chromium", () => {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("shows pass rate, agent time and tokens per task, each chart with data, and the plain line", async () => {
    const comparison = compareRuns(
      run("local", [true, false, true, false], 30, 5000),
      run("cloud", [true, true, true, false], 10, 4000),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "eval-report.html");
    writeFileSync(file, renderComparisonHtml(comparison));

    profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1100, height: 1200 },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      timeout: 60_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (globalThis as unknown as { benchCharts?: unknown[] }).benchCharts?.length === 3);
    const charts = await page.evaluate(() =>
      (
        globalThis as unknown as {
          benchCharts: Array<{
            root: { querySelector(selector: string): { textContent: string | null } | null };
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
          points: chart.data
            .slice(1)
            .flat()
            .filter((value) => value !== null).length,
          painted,
        };
      }),
    );
    const text = await page.textContent("pre");
    await page.screenshot({ path: join(ARTIFACTS, "eval-report.png"), fullPage: true });
    expect(failures).toEqual([]);
    expect(charts.map((chart) => chart.title)).toEqual([
      "Pass rate per task: local and cloud",
      "Agent time per task (mean per run): local and cloud",
      "Tokens per task at the gateway (prompt + output, mean per run): local and cloud",
    ]);
    expect(charts.map((chart) => chart.points)).toEqual([8, 8, 8]);
    for (const chart of charts) expect(chart.painted).toBeGreaterThan(1000);
    expect(text).toContain("local 2/4 vs cloud 3/4, Δ −25 pp");
    expect(text).toContain("3.0× slower; $0 vs $0.40");
  }, 180_000);
});
