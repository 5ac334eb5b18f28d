import { formatTable } from "./format-table.js";
import type { PreflightReport } from "./preflight.js";
import type { Summary } from "./statistics.js";
import { formatDepth } from "./summarize-preflight.js";

const number = (value: number | undefined, digits = 0) => (value === undefined ? "–" : value.toFixed(digits));

/** Median with its 95 % interval, e.g. `212 [205–230]`. */
const withInterval = (summary: Summary | undefined, digits = 0) =>
  summary
    ? `${summary.median.toFixed(digits)} [${summary.ci95[0].toFixed(digits)}–${summary.ci95[1].toFixed(digits)}]`
    : "–";

const withCv = (summary: Summary | undefined, digits = 1) =>
  summary ? `${summary.median.toFixed(digits)} (cv ${(summary.cv * 100).toFixed(0)}%)` : "–";

/** The terminal table: one row per target and depth, then each verdict and the ranking. */
export function formatPreflight(report: PreflightReport): string {
  const rows = report.targets.flatMap((target) =>
    target.depths.map((depth) => [
      target.name,
      `${formatDepth(depth.depth)}${depth.promptTokens === undefined ? "" : ` (${depth.promptTokens}${depth.exactDepth ? "" : "~"})`}`,
      withInterval(depth.coldTtftMs),
      withInterval(depth.warmTtftMs),
      depth.warmGain === undefined ? "–" : `×${depth.warmGain.toFixed(1)}`,
      number(depth.serverPrefillTokensPerSecond?.median),
      withCv(depth.decodeTokensPerSecond),
      number(depth.serverDecodeTokensPerSecond?.median, 1),
      `${number(depth.interTokenP50Ms?.median, 1)} / ${number(depth.interTokenP99Ms?.median, 1)}`,
      depth.warmReusePercent ? `${depth.warmReusePercent.median.toFixed(1)}%` : "unknown",
      number(depth.overheadMs?.median, 1),
      String(depth.errors.length),
    ]),
  );
  const table = formatTable(
    [
      "target",
      "depth (tokens)",
      "cold TTFT ms [95% CI]",
      "warm TTFT ms [95% CI]",
      "gain",
      "prefill tok/s (server)",
      "decode tok/s",
      "decode (server)",
      "ITL p50/p99 ms",
      "warm reuse",
      "overhead ms",
      "errors",
    ],
    rows,
  );
  const lines = [table, ""];
  for (const target of report.targets) lines.push(`${target.name}: ${target.verdict.text}`);
  if (report.targets.length > 1) lines.push(`ranking: ${report.ranking.join(" > ")}`);
  for (const skip of report.skipped) lines.push(`skipped ${skip.target} at ${formatDepth(skip.depth)}: ${skip.reason}`);
  if (report.stoppedBy === "budget")
    lines.push(
      `stopped at the budget (${number((report.options.budgetMs ?? 0) / 1000)} s); deeper depths or repetitions were not measured`,
    );
  if (report.stoppedBy === "interrupted") lines.push("interrupted: the request in flight was aborted");
  const errors = report.targets.flatMap((target) => target.depths.flatMap((depth) => depth.errors));
  if (errors[0]) lines.push(`first error: ${errors[0]}`);
  lines.push(...directDifferences(report));
  if (report.targets.some((target) => target.depths.some((depth) => !depth.exactDepth)))
    lines.push("~ after a depth: estimated (the target has no tokenizer endpoint)");
  lines.push("overhead = client time to first token − the server's prompt_ms (includes decoding the first token)");
  return lines.join("\n");
}

/** With `--direct`: what the path through Switchyard adds to the median time to first token, depth by depth. */
function directDifferences(report: PreflightReport): string[] {
  const gateway = report.targets.find((target) => target.kind === "switchyard");
  if (!gateway) return [];
  return report.targets
    .filter((target) => target.name.endsWith("(direct)"))
    .flatMap((direct) =>
      gateway.depths.flatMap((through) => {
        const straight = direct.depths.find((depth) => depth.depth === through.depth);
        if (!straight) return [];
        const difference = (a: Summary | undefined, b: Summary | undefined) =>
          a && b ? `${a.median - b.median >= 0 ? "+" : ""}${(a.median - b.median).toFixed(0)} ms` : "–";
        return [
          `through ${gateway.name} − ${direct.name} at ${formatDepth(through.depth)}: cold ${difference(through.coldTtftMs, straight.coldTtftMs)}, warm ${difference(through.warmTtftMs, straight.warmTtftMs)} (median time to first token)`,
        ];
      }),
    );
}
