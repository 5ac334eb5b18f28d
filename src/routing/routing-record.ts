import type { SessionMode } from "../sessions/session-entry.js";
import type { HistoryChanges } from "./transform-history.js";

/** What a switch of backend costs the lane: the prompt the target does not hold yet. */
export interface SwitchCost {
  from: string;
  to: string;
  /** Prompt tokens the target must prefill (or, on a cloud, write to its cache). */
  tokensNotCached: number;
  /** True when the prompt was counted by a tokenizer, false for the byte estimate. */
  exact: boolean;
  /** The target's median prefill speed over its recent turns, when it reports timings. */
  prefillTokensPerSecond?: number;
  seconds?: number;
  /** On a priced cloud model: those tokens at its cache-write price. */
  cacheWriteUsd?: number;
}

/** Every routing decision, in the turn record: which rule fired, why, and what happened on the way. */
export interface RoutingRecord {
  /** `tool-errors`, `repeated-tool-call`, `max-tokens`, `bad-tool-output`, `header`, `marker`,
   * `deescalate-turns`, `module`, `lane`, `fit`, or the model router's `alias`, `served-model`, `claude-name`, `default`, `session-placement`. */
  rule: string;
  reason: string;
  /** False when this request changed the session's routing (or was its first). */
  sticky: boolean;
  /** The session's mode after this request. */
  mode: SessionMode;
  switchCost?: SwitchCost;
  /** Set when the request did not fit the first choice's context window. */
  fit?: { backend: string; tokens: number; exact: boolean; context: number };
  /** Backends that failed before any byte reached the client, in order; the turn's `backend` answered. */
  fallback?: Array<{ backend: string; code: string; message: string }>;
  /** Backends passed over because they were cooling down after failures. */
  skipped?: Array<{ backend: string; cooldownMs: number }>;
  /** Why the user rule was ignored (threw, timed out, returned garbage, did not load). */
  moduleError?: string;
  /** What was converted in the history for the backend that answered (another model's thinking, tool ids). */
  history?: HistoryChanges;
}

/** A few words for the log line. */
export function formatRouting(routing: RoutingRecord): string {
  const parts = [`route=${routing.rule}${routing.sticky ? "" : "(new)"}`];
  const cost = routing.switchCost;
  if (cost) {
    const time = cost.seconds === undefined ? "" : `/${cost.seconds.toFixed(1)}s`;
    const usd = cost.cacheWriteUsd === undefined ? "" : `/$${cost.cacheWriteUsd.toFixed(4)}`;
    parts.push(`switch ${cost.from}→${cost.to} ${cost.exact ? "" : "~"}${cost.tokensNotCached}tok${time}${usd}`);
  }
  for (const failure of routing.fallback ?? []) parts.push(`failover(${failure.backend}:${failure.code})`);
  for (const skipped of routing.skipped ?? []) parts.push(`skipped(${skipped.backend}:cooldown)`);
  if (routing.moduleError) parts.push("rule-module-failed");
  if (routing.history) {
    const history = routing.history;
    const dropped = (history.droppedThinking ?? 0) + (history.droppedRedactedThinking ?? 0);
    parts.push(
      `history(${[
        dropped ? `-${dropped}thinking` : "",
        history.thinkingAsText ? `${history.thinkingAsText}thinking→text` : "",
        history.renamedToolIds ? `${history.renamedToolIds}ids` : "",
        history.thinkingOff ? "thinking-off" : "",
      ]
        .filter(Boolean)
        .join(",")})`,
    );
  }
  return parts.join(" ");
}
