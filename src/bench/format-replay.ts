import { formatTable } from "./format-table.js";
import type { ReplayReport, ReplayTurn } from "./replay-sessions.js";

const cell = (value: number | undefined, digits = 0) => (value === undefined ? "–" : value.toFixed(digits));

/** A turn's lane within its session (`main`, `subagent:…`, `side`): the lane named after the session's name. */
function laneName(turn: ReplayTurn): string {
  const session = turn.request.slice(0, turn.request.lastIndexOf("/"));
  return turn.lane.startsWith(`${session}/`) ? turn.lane.slice(session.length + 1) : turn.lane;
}

/** The per-turn table, the totals, and the turns whose cache broke, by name. */
export function formatReplay(report: ReplayReport): string {
  // A stored session's replay is sized from its records: show the recorded prompt beside the replayed one.
  const stored = report.turns.some((turn) => turn.recordedPromptTokens !== undefined);
  const rows = report.turns.map((turn) => [
    turn.request,
    laneName(turn),
    ...(stored ? [cell(turn.recordedPromptTokens)] : []),
    turn.status === 200 ? cell(turn.renderedTokens) : `HTTP ${turn.status}`,
    cell(turn.minimum),
    cell(turn.prefilled),
    cell(turn.reused),
    turn.reusePercent === undefined ? "unknown" : `${turn.reusePercent.toFixed(1)}%`,
    cell(turn.ttftMs),
    cell(turn.decodeTokensPerSecond, 1),
    turn.error ?? turn.miss ?? "",
  ]);
  const totals = report.totals;
  const lines = [
    formatTable(
      [
        "turn",
        "lane",
        ...(stored ? ["recorded"] : []),
        "prompt",
        "minimum",
        "prefilled",
        "reused",
        "reuse",
        "TTFT ms",
        "decode tok/s",
        "miss",
      ],
      rows,
    ),
    "",
    `${report.target}: efficiency ${cell(totals.efficiency, 3)} (Σ prefilled ${totals.prefilled} ÷ Σ minimum ${totals.minimum}), reuse ${totals.reusePercent === undefined ? "unknown" : `${totals.reusePercent.toFixed(1)}%`}, Σ TTFT ${(totals.ttftMsTotal / 1000).toFixed(2)} s, wall ${(totals.wallMs / 1000).toFixed(1)} s${totals.pausedMs > 0 ? ` (${(totals.pausedMs / 1000).toFixed(1)} s of it recorded pauses)` : ""}, served ${totals.served}/${totals.turns}`,
  ];
  if (!report.renderer) lines.push("no llama-server to render the minimum on: efficiency unknown");
  if (report.brokenTurns.length > 0) lines.push(`cache broken (reuse below 80 %): ${report.brokenTurns.join(", ")}`);
  return lines.join("\n");
}
