import type { CanonicalRequest } from "../core/canonical.js";
import type { Lane } from "./lane.js";

/**
 * Where a session's requests go: `auto` follows the configured routes (lanes, aliases, the default
 * backend), `cloud` is escalated, `local` is pinned to a local backend on request.
 */
export type SessionMode = "auto" | "cloud" | "local";

/** What a local turn ended with that says the local model is not coping. */
export type LocalFailure = "max_tokens" | "bad_tool_output";

/** The session's routing mode, kept by SessionPolicy (routing/session-policy.ts). */
export interface SessionRoutingState {
  mode: SessionMode;
  /** The rule that set the mode, and why, in words. */
  rule: string;
  reason: string;
  /** Main-lane turns since the mode was set. */
  turnsInMode: number;
  /** Set by a header or a marker: only another explicit request changes it. */
  explicit: boolean;
  /** A failure of the session's last local turn, read by the next decision. */
  pendingFailure: LocalFailure | undefined;
  decisions: number;
}

export interface SessionEntry {
  readonly sessionId: string;
  /** Undefined until routing first decides for the session. */
  routing: SessionRoutingState | undefined;
  /** The local backend the session was placed on among several (routing/model-router.ts); it stays there. */
  placement: string | undefined;
}

/** The lane's previous prompt on a backend: its real token count and the upper bound it had. */
export interface PreviousPrompt {
  tokens: number;
  bound: number;
}

/** The lane's last completed turn, which the next one is judged against (sessions/lane-tracker.ts). */
export interface LastTurn {
  request: CanonicalRequest;
  promptTokens: number;
  backend: string;
  /** The server behind the backend then (TurnFacts.server's id), when the backend says. */
  server?: string;
}

export interface LaneEntry {
  readonly lane: Lane;
  /** Set by the miss analysis, from completed turns only. */
  lastTurn: LastTurn | undefined;
  /** The backend the lane last ran on, as routing learned it (it also learns from unfinished turns). */
  ranOn: string | undefined;
  /** The lane's last prompt on each backend it ran on, for the fit check and the switch cost. */
  readonly prompts: Map<string, PreviousPrompt>;
  /** The lane that took this lane's slot since its last turn. */
  displacedBy: Lane | undefined;
  /** Backends that saved this lane's KV cache to a slot file when it lost its slot. */
  readonly savedOn: Set<string>;
  /**
   * Per backend whose server empties idle slots: how many generations the backend had started when the
   * lane's last turn there ended (one started since moved the lane's prompt to the RAM cache).
   */
  readonly endedAt: Map<string, number>;
}
