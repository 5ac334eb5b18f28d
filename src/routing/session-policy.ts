import type { LaneKind } from "../sessions/lane.js";
import type { LocalFailure, SessionMode, SessionRoutingState } from "../sessions/session-entry.js";
import { SessionTable } from "../sessions/session-table.js";
import type { RoutingConfig } from "./routing-config.js";
import type { RequestSignals } from "./session-signals.js";

export interface ModeDecision {
  mode: SessionMode;
  rule: string;
  reason: string;
  /** False when this request changed the session's mode (or is its first). */
  sticky: boolean;
}

type EscalationConfig = RoutingConfig["escalation"];

/**
 * The per-session half of routing: escalation on signals, de-escalation after M turns or on request,
 * and stickiness. Decisions only, no I/O, so it is tested on its own; each session's state lives in the
 * session table (sessions/session-table.ts), which bounds it.
 */
export class SessionPolicy {
  constructor(
    private readonly config: EscalationConfig,
    private readonly table: SessionTable,
  ) {}

  state(sessionId: string): Readonly<SessionRoutingState> | undefined {
    return this.table.peek(sessionId)?.routing;
  }

  private stateFor(sessionId: string): SessionRoutingState {
    const session = this.table.session(sessionId);
    session.routing ??= {
      mode: "auto",
      rule: "default",
      reason: "sessions start on the configured routes",
      turnsInMode: 0,
      explicit: false,
      pendingFailure: undefined,
      decisions: 0,
    };
    return session.routing;
  }

  /**
   * A policy holding a copy of this one session's state: deciding on it leaves the session as it is
   * (count_tokens plans the route a turn would take without taking the turn).
   */
  copyOf(sessionId: string): SessionPolicy {
    const table = new SessionTable(1);
    const state = this.state(sessionId);
    if (state) table.session(sessionId).routing = { ...state };
    return new SessionPolicy(this.config, table);
  }

  /** Sets the session's mode from outside the configured rules (a user rule); sticky like the rest. */
  force(sessionId: string, mode: SessionMode, rule: string, reason: string, laneKind: LaneKind): ModeDecision {
    const state = this.stateFor(sessionId);
    return this.conclude(state, this.move(state, mode, rule, reason, false), laneKind);
  }

  decide(sessionId: string, laneKind: LaneKind, signals: RequestSignals): ModeDecision {
    const state = this.stateFor(sessionId);
    const config = this.config;
    let changed = false;
    const explicit = signals.header ?? signals.marker;
    if (explicit) {
      const how = signals.header ? `header ${config.header}: ${signals.header}` : `marker in the user's message`;
      const mode: SessionMode = explicit;
      changed = this.move(state, mode, signals.header ? "header" : "marker", `asked for ${explicit} (${how})`, true);
    } else if (state.mode === "auto") {
      if (config.toolErrors > 0 && signals.trailingToolErrors >= config.toolErrors) {
        changed = this.move(
          state,
          "cloud",
          "tool-errors",
          `${signals.trailingToolErrors} failed tool results in a row (threshold ${config.toolErrors})`,
          false,
        );
      } else if (config.repeatedToolCalls > 0 && signals.repeatedToolCalls >= config.repeatedToolCalls) {
        changed = this.move(
          state,
          "cloud",
          "repeated-tool-call",
          `the same ${signals.repeatedToolName} call ${signals.repeatedToolCalls} times in a row (threshold ${config.repeatedToolCalls})`,
          false,
        );
      } else if (laneKind !== "side" && state.pendingFailure === "max_tokens" && config.onMaxTokens) {
        changed = this.move(state, "cloud", "max-tokens", "the previous local turn stopped at max_tokens", false);
      } else if (laneKind !== "side" && state.pendingFailure === "bad_tool_output" && config.onBadToolOutput) {
        changed = this.move(
          state,
          "cloud",
          "bad-tool-output",
          "the previous local turn wrote a tool call that does not parse",
          false,
        );
      }
    } else if (
      state.mode === "cloud" &&
      !state.explicit &&
      config.deescalateAfterTurns > 0 &&
      state.turnsInMode >= config.deescalateAfterTurns
    ) {
      changed = this.move(
        state,
        "auto",
        "deescalate-turns",
        `back after ${state.turnsInMode} turns in the cloud (deescalateAfterTurns ${config.deescalateAfterTurns})`,
        false,
      );
    }
    return this.conclude(state, changed, laneKind);
  }

  /** What a finished turn of the session said; a local failure escalates the next request. */
  observe(sessionId: string, outcome: { local: boolean; laneKind: LaneKind; failure: LocalFailure | undefined }): void {
    const state = this.table.peek(sessionId)?.routing;
    if (!state || !outcome.local || outcome.laneKind === "side" || state.mode !== "auto") return;
    state.pendingFailure = outcome.failure;
  }

  private move(state: SessionRoutingState, mode: SessionMode, rule: string, reason: string, explicit: boolean) {
    const changed = state.mode !== mode;
    state.rule = rule;
    state.reason = reason;
    state.explicit = explicit;
    if (changed) {
      state.mode = mode;
      state.turnsInMode = 0;
    }
    return changed;
  }

  private conclude(state: SessionRoutingState, changed: boolean, laneKind: LaneKind): ModeDecision {
    // Side requests (titles) neither consume nor cause an escalation.
    if (laneKind !== "side") state.pendingFailure = undefined;
    const first = state.decisions === 0;
    state.decisions++;
    if (laneKind === "main") state.turnsInMode++;
    return { mode: state.mode, rule: state.rule, reason: state.reason, sticky: !changed && !first };
  }
}
