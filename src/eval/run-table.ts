import type { RunSummary } from "./run-summary.js";

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** The run as a table a person reads: one row per task, then the totals and what was left out. */
export function formatRunTable(summary: RunSummary): string {
  const rows = [["task", "passed", "pass@1", "pass@n", "pass^n", "mean score"]];
  for (const task of summary.tasks)
    rows.push([
      task.task,
      `${task.c}/${task.n}`,
      percent(task.pass1),
      task.passAtN === undefined ? "" : percent(task.passAtN),
      task.passHatN === undefined ? "" : percent(task.passHatN),
      task.meanScore.toFixed(2),
    ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const statuses = Object.entries(summary.statuses)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(", ");
  lines.push(
    "",
    `${summary.agent} on ${summary.route}: ${summary.passed}/${summary.total} passed (${statuses}); scorer network isolation: ${summary.network}; mean harness overhead ${Math.round(summary.meanOverheadMs)} ms`,
  );
  for (const entry of summary.excluded) lines.push(`excluded ${entry.task}: ${entry.reason}`);
  return lines.join("\n");
}
