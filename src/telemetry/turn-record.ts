import type { BackendTimings, StopReason, Usage } from "../core/canonical.js";

/** One request through the gateway, as the dashboard, reports and tests see it. */
export interface TurnRecord {
  id: string;
  startedAt: string;
  protocol: "anthropic" | "openai";
  endpoint: "messages" | "count_tokens" | "chat_completions";
  requestedModel: string;
  backend: string;
  backendModel: string;
  routeReason: string;
  stream: boolean;
  status: number;
  /** Milliseconds from request arrival to the first byte of the answer sent to the client. */
  ttftMs: number | undefined;
  durationMs: number;
  usage: Usage | undefined;
  timings: BackendTimings | undefined;
  stopReason: StopReason | undefined;
  error: { code: string; message: string } | undefined;
  /** True when the client went away before the answer finished. */
  clientAborted: boolean;
}

/** A bounded in-memory ring of recent turns, with listeners (log line, store, metrics). */
export class TurnRecorder {
  private readonly turns: TurnRecord[] = [];
  private readonly listeners: Array<(turn: TurnRecord) => void> = [];

  constructor(private readonly capacity = 1000) {}

  add(turn: TurnRecord): void {
    this.turns.push(turn);
    if (this.turns.length > this.capacity) this.turns.shift();
    for (const listener of this.listeners) listener(turn);
  }

  onTurn(listener: (turn: TurnRecord) => void): void {
    this.listeners.push(listener);
  }

  recent(limit = 100): TurnRecord[] {
    return this.turns.slice(-limit);
  }
}

/** One readable log line per turn. */
export function formatTurn(turn: TurnRecord): string {
  const usage = turn.usage;
  const tokens = usage
    ? ` prefilled=${usage.inputTokens} reused=${usage.cacheReadTokens} out=${usage.outputTokens}`
    : "";
  const ttft = turn.ttftMs === undefined ? "" : ` ttft=${Math.round(turn.ttftMs)}ms`;
  const error = turn.error ? ` error=${turn.error.code}` : "";
  return `${turn.endpoint} ${turn.requestedModel} → ${turn.backend} ${turn.status}${ttft} total=${Math.round(turn.durationMs)}ms${tokens}${error}${turn.clientAborted ? " (client went away)" : ""}`;
}
