import type { SessionStatus } from "../gateway/session-summary-route.js";

/**
 * The part of what Claude Code writes on a status-line command's stdin that Switchyard reads
 * (the whole object has more: transcript_path, workspace, version, context_window, …).
 */
export interface ClaudeCodeStatusInput {
  session_id?: string;
  model?: { id?: string; display_name?: string };
  /** Claude Code's own estimate of the session's cost at Anthropic's prices. */
  cost?: { total_cost_usd?: number };
}

/** Reads the JSON Claude Code sent; anything unreadable is an empty input, never an exception. */
export function parseStatusInput(text: string): ClaudeCodeStatusInput {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as ClaudeCodeStatusInput) : {};
  } catch {
    return {};
  }
}

const dollars = (usd: number) => `$${usd < 10 ? usd.toFixed(2) : usd.toFixed(0)}`;

function seconds(milliseconds: number): string {
  return milliseconds < 10_000 ? `${(milliseconds / 1000).toFixed(2)}s` : `${Math.round(milliseconds / 1000)}s`;
}

/**
 * One line: where the latest turn ran, its time to first token and prompt reuse, what the session cost
 * (cloud turns), and what it saved.
 */
export function formatStatusLine(input: ClaudeCodeStatusInput, status: SessionStatus): string {
  const last = status.lastTurn;
  if (!last) return "⇄ Switchyard · no turns yet in this session";
  const parts = [`⇄ ${last.backend}`, last.backendModel || last.requestedModel];
  if (last.ttftMs !== undefined) parts.push(`TTFT ${seconds(last.ttftMs)}`);
  if (last.promptTokens) parts.push(`reuse ${Math.round(((last.reusedTokens ?? 0) / last.promptTokens) * 100)}%`);
  if (last.missReason) parts.push(`miss: ${last.missReason}`);
  const spent = status.session?.costUsd ?? 0;
  // Switchyard's own reckoning (local turns at the reference model's price) when it has one, else
  // Claude Code's estimate for the session at Anthropic's prices, less what the clouds were paid.
  const listPrice = input.cost?.total_cost_usd;
  const saved =
    (status.session?.savedUsd ?? 0) > 0
      ? (status.session?.savedUsd ?? 0)
      : typeof listPrice === "number" && Number.isFinite(listPrice)
        ? listPrice - spent
        : 0;
  parts.push(saved >= 0.005 ? `${dollars(spent)} spent, ~${dollars(saved)} saved` : `${dollars(spent)} spent`);
  return parts.join(" · ");
}

/** What the line says when Switchyard cannot be asked: short, and never an error on Claude Code's screen. */
export function unreachableLine(input: ClaudeCodeStatusInput, url: string): string {
  const model = input.model?.display_name;
  return `⇄ Switchyard not answering at ${url}${model ? ` · ${model}` : ""}`;
}
