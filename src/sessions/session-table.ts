import type { Lane, LaneName } from "./lane.js";
import type { LaneEntry, LastTurn, SessionEntry } from "./session-entry.js";

/**
 * What a backend that pins lanes to slots keeps per lane, held in the session table so that it is
 * forgotten with the session: who took the lane's slot, and where its KV cache was saved.
 */
export interface SlotMemory {
  /** `lane` lost its slot to `by`; remembered only while the lane's session is. */
  recordDisplacement(lane: Lane, by: Lane): void;
  /** Who took the lane's slot since its last turn, forgotten once read. */
  takeDisplacement(lane: Lane): Lane | undefined;
  markSaved(lane: Lane, backend: string): void;
  isSaved(lane: Lane, backend: string): boolean;
  /** Forgets the saved slot files on `backend` that `deleted` names (pruned past the disk budget). */
  forgetSaved(backend: string, deleted: (lane: Lane) => boolean): void;
  /** The lane's turn on `backend` ended when the backend had started `started` generations. */
  markEnded(lane: Lane, backend: string, started: number): void;
  endedAt(lane: Lane, backend: string): number | undefined;
  /** The lane's last completed turn: its request, prompt tokens and backend. */
  lastTurn(lane: Lane): LastTurn | undefined;
}

/**
 * Sessions remembered. Each holds its mode, placement and every lane's last request (the heavy part,
 * one canonical request per lane, most of it shared with the parsed body). 512 sessions keep at least
 * as many lanes as the miss analysis kept before (512 lanes, its memory bound), while a local machine
 * serves a handful of sessions at a time: one forgotten after 511 newer ones has long lost its slot.
 */
export const SESSION_CAPACITY = 512;

interface Stored {
  entry: SessionEntry;
  /** Keyed by lane name: the only place a lane is a string key. */
  lanes: Map<LaneName, LaneEntry>;
}

/**
 * The one owner of sessions and their lanes: routing mode and placement per session; per lane the
 * last turn (for miss explanations), routing memory (backend, previous prompts), displacement and
 * saved slot files. One bound, on sessions: the least recently used session goes, with all its lanes,
 * so every reader forgets it at once.
 */
export class SessionTable implements SlotMemory {
  private readonly sessions = new Map<string, Stored>();

  constructor(private readonly capacity = SESSION_CAPACITY) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session, made the most recently used; created when new, evicting the least recent past the bound. */
  session(sessionId: string): SessionEntry {
    return this.touch(sessionId).entry;
  }

  /** The session if remembered, without making it more recent. */
  peek(sessionId: string): SessionEntry | undefined {
    return this.sessions.get(sessionId)?.entry;
  }

  /** The lane, its session made the most recently used; created when new. */
  lane(lane: Lane): LaneEntry {
    return laneIn(this.touch(lane.sessionId), lane);
  }

  /** The lane if remembered, without making its session more recent. */
  peekLane(lane: Lane): LaneEntry | undefined {
    return this.sessions.get(lane.sessionId)?.lanes.get(lane.name);
  }

  private touch(sessionId: string): Stored {
    let stored = this.sessions.get(sessionId);
    if (stored) {
      this.sessions.delete(sessionId);
    } else {
      stored = { entry: { sessionId, routing: undefined, placement: undefined }, lanes: new Map() };
    }
    this.sessions.set(sessionId, stored);
    if (this.sessions.size > this.capacity) this.sessions.delete(this.sessions.keys().next().value as string);
    return stored;
  }

  // Slot facts neither create nor refresh a session: a lane whose session was forgotten has nothing to explain.
  recordDisplacement(lane: Lane, by: Lane): void {
    const stored = this.sessions.get(lane.sessionId);
    if (stored) laneIn(stored, lane).displacedBy = by;
  }

  takeDisplacement(lane: Lane): Lane | undefined {
    const entry = this.peekLane(lane);
    const by = entry?.displacedBy;
    if (entry) entry.displacedBy = undefined;
    return by;
  }

  markSaved(lane: Lane, backend: string): void {
    const stored = this.sessions.get(lane.sessionId);
    if (stored) laneIn(stored, lane).savedOn.add(backend);
  }

  isSaved(lane: Lane, backend: string): boolean {
    return this.peekLane(lane)?.savedOn.has(backend) === true;
  }

  forgetSaved(backend: string, deleted: (lane: Lane) => boolean): void {
    for (const { lanes } of this.sessions.values())
      for (const entry of lanes.values())
        if (entry.savedOn.has(backend) && deleted(entry.lane)) entry.savedOn.delete(backend);
  }

  markEnded(lane: Lane, backend: string, started: number): void {
    const stored = this.sessions.get(lane.sessionId);
    if (stored) laneIn(stored, lane).endedAt.set(backend, started);
  }

  endedAt(lane: Lane, backend: string): number | undefined {
    return this.peekLane(lane)?.endedAt.get(backend);
  }

  lastTurn(lane: Lane): LastTurn | undefined {
    return this.peekLane(lane)?.lastTurn;
  }
}

function laneIn(stored: Stored, lane: Lane): LaneEntry {
  let entry = stored.lanes.get(lane.name);
  if (!entry) {
    entry = {
      lane: { sessionId: lane.sessionId, name: lane.name, kind: lane.kind },
      lastTurn: undefined,
      ranOn: undefined,
      prompts: new Map(),
      displacedBy: undefined,
      savedOn: new Set(),
      endedAt: new Map(),
    };
    stored.lanes.set(lane.name, entry);
  }
  return entry;
}
