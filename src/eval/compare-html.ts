import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ChartSpec } from "../bench/html-report.js";
import { comparisonTable } from "./compare-format.js";
import type { Comparison } from "./compare-runs.js";

const require = createRequire(import.meta.url);

/** Lines with points, not bars: the bench's bars share one x position, and one side would hide the other. */
export function comparisonCharts(comparison: Comparison): ChartSpec[] {
  const { a, b, tasks } = comparison;
  const names = tasks.map((task) => task.task);
  const x = tasks.map((_, index) => index);
  const charts: ChartSpec[] = [
    {
      id: "pass-rate",
      title: `Pass rate per task: ${a.label} and ${b.label}`,
      xLabel: "task",
      yLabel: "% of runs passed",
      xNames: names,
      series: [a.label, b.label],
      data: [x, tasks.map((task) => task.a * 100), tasks.map((task) => task.b * 100)],
    },
    {
      id: "agent-time",
      title: `Agent time per task (mean per run): ${a.label} and ${b.label}`,
      xLabel: "task",
      yLabel: "seconds",
      xNames: names,
      series: [a.label, b.label],
      data: [x, tasks.map((task) => task.aSeconds), tasks.map((task) => task.bSeconds)],
    },
  ];
  if (tasks.some((task) => task.aTokens !== null || task.bTokens !== null))
    charts.push({
      id: "tokens",
      title: `Tokens per task at the gateway (prompt + output, mean per run): ${a.label} and ${b.label}`,
      xLabel: "task",
      yLabel: "tokens",
      xNames: names,
      series: [a.label, b.label],
      data: [x, tasks.map((task) => task.aTokens), tasks.map((task) => task.bTokens)],
    });
  return charts;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char] as string);
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/** A self-contained page (uPlot inlined, no network): the table, the plain line and the charts. */
export function renderComparisonHtml(comparison: Comparison): string {
  const charts = comparisonCharts(comparison);
  const uplotJs = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  // The bench report's chart script: it draws every spec in #bench-charts the same way.
  const script = readFileSync(new URL("../bench/static/report-page.js", import.meta.url), "utf8");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard eval: ${escapeHtml(comparison.a.label)} vs ${escapeHtml(comparison.b.label)}</title>
<style>${uplotCss}
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}pre{background:#f5f5f5;padding:12px}
.chart{margin:16px 0}</style></head>
<body><h1>Switchyard eval · ${escapeHtml(comparison.a.label)} vs ${escapeHtml(comparison.b.label)}</h1>
<pre>${escapeHtml(comparisonTable(comparison))}</pre>
${charts.map((chart) => `<div class="chart" id="${chart.id}"></div>`).join("\n")}
<script id="bench-charts" type="application/json">${scriptJson(charts)}</script>
<script id="eval-comparison" type="application/json">${scriptJson(comparison)}</script>
<script>${uplotJs}</script>
<script>${script}</script>
</body></html>
`;
}
