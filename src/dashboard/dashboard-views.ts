import type { Backend, SlotView } from "../backends/backend.js";
import {
  type TurnCostView,
  type TurnRoutingView,
  turnCostView,
  turnRoutingView,
} from "../telemetry/read-turn-extras.js";
import { ZERO_COUNTS } from "../telemetry/summarize-session.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import type { SessionSummary } from "../telemetry/turn-source.js";

/** A turn as the dashboard's table and chart read it: the record without raw usage and timings. */
export type TurnRow = Omit<TurnRecord, "usage" | "timings" | "routing" | "cost"> & {
  routing: TurnRoutingView | null;
  cost: TurnCostView | null;
};

export function toTurnRow(turn: TurnRecord): TurnRow {
  const { usage: _usage, timings: _timings, ...rest } = turn;
  return { ...rest, routing: turnRoutingView(turn) ?? null, cost: turnCostView(turn) ?? null };
}

type CountKey = keyof typeof ZERO_COUNTS;
const COUNT_KEYS = Object.keys(ZERO_COUNTS) as CountKey[];

/** The sessions' counters (those of a session summary) added up, with their cost. */
export interface DashboardTotals extends Record<CountKey, number> {
  sessions: number;
  /** Null when no turn carried cost (cost accounting off or not built). */
  costUsd: number | null;
  savedUsd: number | null;
}

export function totalsOf(sessions: readonly SessionSummary[]): DashboardTotals {
  const totals: DashboardTotals = {
    sessions: sessions.length,
    ...ZERO_COUNTS,
    costUsd: null,
    savedUsd: null,
  };
  for (const session of sessions) {
    for (const key of COUNT_KEYS) totals[key] += session[key];
    if (session.costUsd !== undefined) totals.costUsd = (totals.costUsd ?? 0) + session.costUsd;
    if (session.savedUsd !== undefined) totals.savedUsd = (totals.savedUsd ?? 0) + session.savedUsd;
  }
  return totals;
}

export interface BackendView {
  name: string;
  kind: Backend["kind"];
  local: boolean;
  url: string | undefined;
  /** Null for backends without slots (clouds), or before the slot count is known. */
  slots: Array<SlotView & { sessionId: string | null; laneName: string | null }> | null;
}

export function toBackendView(backend: Backend): BackendView {
  const slots = backend.slotSnapshot?.();
  return {
    name: backend.name,
    kind: backend.kind,
    local: backend.local,
    // Cloud URLs are public and say nothing; local ones help find the server.
    url: backend.local ? backend.baseUrl : undefined,
    slots:
      slots?.map((slot) => {
        // Lane keys are `session/lane`; lane names never hold a slash, session ids might.
        const cut = slot.lane?.lastIndexOf("/") ?? -1;
        return {
          ...slot,
          sessionId: slot.lane && cut > 0 ? slot.lane.slice(0, cut) : null,
          laneName: slot.lane ? slot.lane.slice(cut + 1) : null,
        };
      }) ?? null,
  };
}
