import { formatTable } from "./format-table.js";
import type { FlagSweep, SweepRow } from "./sweep.js";

const median = (value: number | undefined, digits = 0) => (value === undefined ? "–" : value.toFixed(digits));

export function formatSweep(sweep: FlagSweep, rows: SweepRow[]): string {
  return formatTable(
    [
      sweep.argument,
      "depth",
      "cold TTFT ms",
      "warm TTFT ms",
      "prefill tok/s (server)",
      "decode tok/s",
      "warm reuse",
      "verdict",
    ],
    rows.map(({ value, report }) => {
      const target = report.targets[0];
      const depth = target?.depths[0];
      return [
        value,
        median(depth?.promptTokens),
        median(depth?.coldTtftMs?.median),
        median(depth?.warmTtftMs?.median),
        median(depth?.serverPrefillTokensPerSecond?.median),
        median(depth?.decodeTokensPerSecond?.median, 1),
        depth?.warmReusePercent ? `${depth.warmReusePercent.median.toFixed(1)}%` : "unknown",
        target?.verdict.pass === undefined ? "–" : target.verdict.pass ? "PASS" : "FAIL",
      ];
    }),
  );
}
