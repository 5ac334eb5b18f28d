import type { Backend } from "../backends/backend.js";
import type { LaneKind, LaneName } from "../sessions/lane.js";
import { type EvalTag, readEvalTag } from "../telemetry/eval-tag.js";
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
export type TurnRow = Omit<TurnRecord, "usage" | "timings" | "routing" | "cost" | "evalTag"> & {
  evalTag: EvalTag | null;
  routing: TurnRoutingView | null;
  cost: TurnCostView | null;
};

export function toTurnRow(turn: TurnRecord): TurnRow {
  const { usage: _usage, timings: _timings, ...rest } = turn;
  return {
    ...rest,
    routing: turnRoutingView(turn) ?? null,
    cost: turnCostView(turn) ?? null,
    evalTag: readEvalTag(turn.evalTag) ?? null,
  };
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

/** One slot as the dashboard's JSON carries it: the lane's parts, null on a free slot. */
export interface SlotEntryView {
  slot: number;
  busy: boolean;
  sessionId: string | null;
  laneName: LaneName | null;
  laneKind: LaneKind | null;
  /** The model the slot belongs to, on a llama-server in router mode. */
  model: string | null;
  /** The lane's prompt waits in the server's RAM cache (moved out after idling). */
  inRamCache: boolean;
}

export interface BackendView {
  name: string;
  kind: Backend["kind"];
  local: boolean;
  url: string | undefined;
  /** Null for backends without slots (clouds), or before the slot count is known. */
  slots: SlotEntryView[] | null;
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
      slots?.map((slot) => ({
        slot: slot.slot,
        busy: slot.busy,
        sessionId: slot.lane?.sessionId ?? null,
        laneName: slot.lane?.name ?? null,
        laneKind: slot.lane?.kind ?? null,
        model: slot.model ?? null,
        inRamCache: slot.inRamCache === true,
      })) ?? null,
  };
}
