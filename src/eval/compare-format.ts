import type { Comparison } from "./compare-runs.js";

/** Signed percentage points with a real minus sign: −15, +5, 0. */
function points(fraction: number): string {
  const value = Math.round(fraction * 100);
  if (value === 0) return "0";
  return value < 0 ? `−${-value}` : `+${value}`;
}

const dollars = (value: number | undefined) =>
  value === undefined ? "cost unknown" : `$${value === 0 ? "0" : value.toFixed(2)}`;

/** "local 14/20 vs cloud 17/20, Δ −15 pp [−35, +5], not significant; 3.1× slower; $0 vs $2.40" */
export function plainLine(comparison: Comparison): string {
  const { a, b, difference } = comparison;
  const parts = [
    `${a.label} ${a.passed}/${a.total} vs ${b.label} ${b.passed}/${b.total}, Δ ${points(difference.mean)} pp [${points(difference.low)}, ${points(difference.high)}], ${comparison.significant ? "significant" : "not significant"}`,
  ];
  const time = comparison.timeRatio;
  if (time !== undefined) parts.push(time >= 1 ? `${time.toFixed(1)}× slower` : `${(1 / time).toFixed(1)}× faster`);
  if (a.costUsd !== undefined || b.costUsd !== undefined) parts.push(`${dollars(a.costUsd)} vs ${dollars(b.costUsd)}`);
  return parts.join("; ");
}

/** The per-task table, then the test, the ratios and the plain line. */
export function comparisonTable(comparison: Comparison): string {
  const { a, b } = comparison;
  const rows = [["task", a.label, b.label, "Δ"]];
  for (const task of comparison.tasks)
    rows.push([
      task.task,
      `${Math.round(task.a * 100)}%`,
      `${Math.round(task.b * 100)}%`,
      `${points(task.a - task.b)} pp`,
    ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  lines.push("");
  lines.push(
    comparison.mcnemarP !== undefined
      ? `McNemar exact p = ${comparison.mcnemarP.toPrecision(3)} (one epoch)`
      : "bootstrap 95% interval over tasks, 10,000 resamples, seed 1",
  );
  const ratioLine = (name: string, value: number | undefined) =>
    `${name} ${value === undefined ? "n/a" : `${value.toFixed(2)}×`}`;
  lines.push(
    `${a.label}/${b.label}: ${ratioLine("time", comparison.timeRatio)}, ${ratioLine("tokens", comparison.tokenRatio)}, ${ratioLine("cost", comparison.costRatio)}`,
  );
  for (const task of comparison.unpaired) lines.push(`unpaired (left out): ${task}`);
  lines.push(plainLine(comparison));
  return lines.join("\n");
}
