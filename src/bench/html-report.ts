import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { PreflightReport } from "./preflight.js";
import type { ReplayReport } from "./replay-sessions.js";
import { formatDepth } from "./summarize-preflight.js";

const require = createRequire(import.meta.url);

/** What the page's script draws: one entry per chart, uPlot's aligned data (x first) and series names. */
export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Category names for the x positions (targets, turns), when x is an index. */
  xNames?: string[];
  bars?: boolean;
  /** Series drawn as points (e.g. a reference value) in a bar chart. */
  pointsOnly?: string[];
  /** Series drawn as a line (e.g. a device's budget) in a bar chart. */
  lines?: string[];
  series: string[];
  data: Array<Array<number | null>>;
}

export function preflightCharts(report: PreflightReport): ChartSpec[] {
  const depths = [...new Set(report.targets.flatMap((target) => target.depths.map((depth) => depth.depth)))].sort(
    (a, b) => a - b,
  );
  const ttft: ChartSpec = {
    id: "ttft",
    title: "Time to first token, cold and warm, by depth (median)",
    xLabel: "prompt depth (tokens)",
    yLabel: "ms",
    series: [],
    data: [depths],
  };
  for (const target of report.targets)
    for (const kind of ["cold", "warm"] as const) {
      ttft.series.push(`${target.name} ${kind}`);
      ttft.data.push(
        depths.map((depth) => {
          const found = target.depths.find((summary) => summary.depth === depth);
          return (kind === "cold" ? found?.coldTtftMs : found?.warmTtftMs)?.median ?? null;
        }),
      );
    }
  const decode: ChartSpec = {
    id: "decode",
    title: "Decode speed by target (median over every request)",
    xLabel: "target",
    yLabel: "tokens/s",
    xNames: report.targets.map((target) => target.name),
    bars: true,
    series: ["decode p50"],
    data: [report.targets.map((_, index) => index), report.targets.map((target) => target.verdict.decodeP50 ?? null)],
  };
  return [ttft, decode];
}

/** `bare-session/008.json` → `bare 008`: short enough to label every bar. */
const turnLabel = (request: string) => {
  const [session = "", file = ""] = request.split("/");
  return `${session.split("-")[0]} ${file.replace(/\.json$/, "")}`;
};

export function replayCharts(report: ReplayReport): ChartSpec[] {
  return [
    {
      id: "replay",
      title: `Replay on ${report.target}: prompt tokens per turn, reused (below) and prefilled (above), and the minimum`,
      xLabel: "turn",
      yLabel: "tokens",
      xNames: report.turns.map((turn) => turnLabel(turn.request)),
      bars: true,
      series: ["prefilled (on top of reused)", "reused", "minimum"],
      // The first bar is the whole prompt and the second, drawn over it, the reused part: a stacked bar.
      data: [
        report.turns.map((_, index) => index),
        report.turns.map((turn) => (turn.prefilled === undefined ? null : turn.prefilled + (turn.reused ?? 0))),
        report.turns.map((turn) => turn.reused ?? null),
        report.turns.map((turn) => turn.minimum ?? null),
      ],
      pointsOnly: ["minimum"],
    },
  ];
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char] as string);

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

function summaryLines(preflight?: PreflightReport, replay?: ReplayReport): string[] {
  const lines: string[] = [];
  for (const target of preflight?.targets ?? []) {
    lines.push(`${target.name}: ${target.verdict.text}`);
    for (const depth of target.depths)
      lines.push(
        `  ${formatDepth(depth.depth)}: cold ${depth.coldTtftMs?.median.toFixed(0) ?? "–"} ms, warm ${depth.warmTtftMs?.median.toFixed(0) ?? "–"} ms, gain ×${depth.warmGain?.toFixed(1) ?? "–"}, warm reuse ${depth.warmReusePercent ? `${depth.warmReusePercent.median.toFixed(1)}%` : "unknown"}`,
      );
  }
  if (preflight && preflight.targets.length > 1) lines.push(`ranking: ${preflight.ranking.join(" > ")}`);
  if (replay)
    lines.push(
      `replay on ${replay.target}: efficiency ${replay.efficiency?.toFixed(3) ?? "unknown"}, ${replay.totals.served}/${replay.totals.turns} turns served${replay.brokenTurns.length > 0 ? `; cache broken at ${replay.brokenTurns.join(", ")}` : ""}`,
    );
  return lines;
}

/** What one self-contained chart page holds: its heading, plain-text summary, charts and any data to embed. */
export interface ChartPage {
  title: string;
  summary: string;
  charts: ChartSpec[];
  /** Embedded as `<script id="KEY" type="application/json">`, for scripts and tests that read the page. */
  embedded: Record<string, unknown>;
}

/**
 * A self-contained page (uPlot inlined, no network): the heading, the summary and the charts, drawn by
 * static/report-page.js. Shared by the bench, eval and fit reports so each draws its charts the same way.
 */
export function renderChartPage(page: ChartPage): string {
  const uplotJs = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const script = readFileSync(new URL("./static/report-page.js", import.meta.url), "utf8");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>${uplotCss}
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}pre{background:#f5f5f5;padding:12px}
.chart{margin:16px 0}</style></head>
<body><h1>${escapeHtml(page.title)}</h1>
<pre>${escapeHtml(page.summary)}</pre>
${page.charts.map((chart) => `<div class="chart" id="${chart.id}"></div>`).join("\n")}
<script id="bench-charts" type="application/json">${scriptJson(page.charts)}</script>
${Object.entries(page.embedded)
  .map(([id, value]) => `<script id="${escapeHtml(id)}" type="application/json">${scriptJson(value)}</script>\n`)
  .join("")}<script>${uplotJs}</script>
<script>${script}</script>
</body></html>
`;
}

/** The bench report: time to first token and decode by target, and per-turn reuse of a replay. */
export function renderHtmlReport(reports: { preflight?: PreflightReport; replay?: ReplayReport }): string {
  return renderChartPage({
    title: `Switchyard bench · ${new Date().toISOString()}`,
    summary: summaryLines(reports.preflight, reports.replay).join("\n"),
    charts: [
      ...(reports.preflight ? preflightCharts(reports.preflight) : []),
      ...(reports.replay ? replayCharts(reports.replay) : []),
    ],
    embedded: { "bench-reports": reports },
  });
}
