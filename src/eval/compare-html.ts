import { type ChartSpec, renderChartPage } from "../bench/html-report.js";
import { comparisonTable } from "./compare-format.js";
import type { Comparison } from "./compare-runs.js";

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

/** A self-contained page (uPlot inlined, no network): the table, the plain line and the charts. */
export function renderComparisonHtml(comparison: Comparison): string {
  return renderChartPage({
    title: `Switchyard eval · ${comparison.a.label} vs ${comparison.b.label}`,
    summary: comparisonTable(comparison),
    charts: comparisonCharts(comparison),
    embedded: { "eval-comparison": comparison },
  });
}
