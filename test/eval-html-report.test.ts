import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderComparisonHtml } from "../src/eval/compare-html.js";
import { compareRuns, type LoadedRun } from "../src/eval/compare-runs.js";
import type { RunRecord } from "../src/eval/run-record.js";
import { ARTIFACTS, readReportInChromium } from "./support/report-in-chromium.js";

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
  it("shows pass rate, agent time and tokens per task, each chart with data, and the plain line", async () => {
    const comparison = compareRuns(
      run("local", [true, false, true, false], 30, 5000),
      run("cloud", [true, true, true, false], 10, 4000),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "eval-report.html");
    writeFileSync(file, renderComparisonHtml(comparison));

    const { charts, text, failures } = await readReportInChromium(file, 3, "eval-report.png");
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
