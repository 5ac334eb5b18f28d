import type { LaneKind } from "../../sessions/session-identity.js";
import type { SlotOccupancy } from "../backend.js";

interface SlotState {
  id: number;
  lane: string | undefined;
  laneKind: LaneKind | undefined;
  busy: boolean;
  lastUsed: number;
}

export interface SlotLease {
  slot: number;
  /** The lane had no slot, or lost its slot to another lane since its last turn. */
  reassigned: boolean;
  /** The lane this slot held before, when it was taken from one. */
  displacedLane: string | undefined;
  release(): void;
}

/** Which idle slot a lane without one takes first: empty slots, then side lanes, subagents, main agents. */
const EVICTION_ORDER: Record<LaneKind | "empty", number> = { empty: 0, side: 1, subagent: 2, main: 3 };

/**
 * Pins each lane to a llama-server slot (`id_slot`) so its prefix stays warm: a lane keeps its slot
 * while it exists; a lane without one takes an empty slot, else the least recently used idle slot of the
 * least important kind, so side requests and subagents never take an active main agent's slot while
 * another is free. One request per slot at a time: later ones wait for it.
 */
export class SlotScheduler {
  private readonly slots: SlotState[];
  private readonly waiters = new Set<() => void>();
  /** Lanes that lost their slot, and to whom: for explaining the cache miss that follows. */
  private readonly displaced = new Map<string, string>();

  constructor(count: number) {
    this.slots = Array.from({ length: count }, (_, id) => ({
      id,
      lane: undefined,
      laneKind: undefined,
      busy: false,
      lastUsed: 0,
    }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Which lane holds which slot (for records, doctor and the dashboard). */
  snapshot(): Array<{ slot: number; lane: string | undefined; busy: boolean }> {
    return this.slots.map((slot) => ({ slot: slot.id, lane: slot.lane, busy: slot.busy }));
  }

  /** How many slots there are, how many lanes of each kind hold one, and how many run a request now. */
  occupancy(): SlotOccupancy {
    const held: Record<LaneKind, number> = { main: 0, subagent: 0, side: 0 };
    let busy = 0;
    for (const slot of this.slots) {
      if (slot.laneKind) held[slot.laneKind]++;
      if (slot.busy) busy++;
    }
    return { total: this.slots.length, held, busy };
  }

  /** Who took this lane's slot since its last turn, if anyone. */
  displacedBy(lane: string): string | undefined {
    return this.displaced.get(lane);
  }

  async acquire(lane: string, laneKind: LaneKind, signal?: AbortSignal): Promise<SlotLease> {
    for (;;) {
      signal?.throwIfAborted();
      const lease = this.tryAcquire(lane, laneKind);
      if (lease) return lease;
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          this.waiters.delete(wake);
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiters.delete(wake);
          reject(signal?.reason);
        };
        this.waiters.add(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  private tryAcquire(lane: string, laneKind: LaneKind): SlotLease | undefined {
    const own = this.slots.find((slot) => slot.lane === lane);
    if (own) return own.busy ? undefined : this.lease(own, lane, laneKind, false, undefined);
    const idle = this.slots.filter((slot) => !slot.busy);
    if (idle.length === 0) return undefined;
    const rank = (slot: SlotState) => EVICTION_ORDER[slot.laneKind ?? "empty"];
    idle.sort((a, b) => rank(a) - rank(b) || a.lastUsed - b.lastUsed);
    const chosen = idle[0] as SlotState;
    const displacedLane = chosen.lane;
    if (displacedLane) this.displaced.set(displacedLane, lane);
    return this.lease(chosen, lane, laneKind, true, displacedLane);
  }

  private lease(
    slot: SlotState,
    lane: string,
    laneKind: LaneKind,
    reassigned: boolean,
    displacedLane: string | undefined,
  ): SlotLease {
    slot.busy = true;
    slot.lane = lane;
    slot.laneKind = laneKind;
    slot.lastUsed = Date.now();
    let released = false;
    return {
      slot: slot.id,
      reassigned,
      displacedLane,
      release: () => {
        if (released) return;
        released = true;
        slot.busy = false;
        slot.lastUsed = Date.now();
        for (const wake of [...this.waiters]) wake();
      },
    };
  }

  /** Forgets that a lane was displaced (once its miss has been explained). */
  clearDisplaced(lane: string): void {
    this.displaced.delete(lane);
  }
}
