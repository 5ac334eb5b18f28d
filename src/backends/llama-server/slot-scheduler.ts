import { type Lane, type LaneKind, sameLane } from "../../sessions/lane.js";
import type { SlotView } from "../backend.js";

interface SlotState {
  id: number;
  lane: Lane | undefined;
  busy: boolean;
  lastUsed: number;
}

export interface SlotLease {
  slot: number;
  /** The lane had no slot, or lost its slot to another lane since its last turn. */
  reassigned: boolean;
  /** The lane this slot held before, when it was taken from one (the caller records who displaced whom). */
  displacedLane: Lane | undefined;
  release(): void;
}

/**
 * Where a llama-server's lanes get their slots: this process's SlotScheduler, or a book shared by
 * several Switchyard replicas in front of one server (src/store/postgres-slot-leases.ts), where a pin is
 * a lease in the shared store.
 */
export interface SlotBook {
  readonly size: number;
  snapshot(): SlotView[];
  acquire(lane: Lane, signal?: AbortSignal): Promise<SlotLease>;
  /**
   * Holds `slot` for a moment without giving it to another lane (its lane's next turn waits), when it is
   * idle; undefined when it is not. Copying a slot's prompt holds it so that no turn of its lane changes
   * it meanwhile. A book that cannot hold slots lacks it.
   */
  hold?(slot: number): { release(): void } | undefined;
}

/** Makes the book for one server (`backendKey`, its URL) with `slots` slots. */
export type SlotBookFactory = (backendKey: string, slots: number) => SlotBook;

/** Which idle slot a lane without one takes first: empty slots, then side lanes, subagents, main agents. */
export const EVICTION_ORDER: Record<LaneKind | "empty", number> = { empty: 0, side: 1, subagent: 2, main: 3 };

/**
 * Pins each lane to a llama-server slot (`id_slot`) so its prefix stays warm: a lane keeps its slot
 * while it exists; a lane without one takes an empty slot, else the least recently used idle slot of the
 * least important kind, so side requests and subagents never take an active main agent's slot while
 * another is free. One request per slot at a time: later ones wait for it. Keeps only slot → lane.
 */
export class SlotScheduler implements SlotBook {
  private readonly slots: SlotState[];
  private readonly waiters = new Set<() => void>();

  constructor(count: number) {
    this.slots = Array.from({ length: count }, (_, id) => ({
      id,
      lane: undefined,
      busy: false,
      lastUsed: 0,
    }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Which lane holds which slot (for records, doctor and the dashboard). */
  snapshot(): SlotView[] {
    return this.slots.map((slot) => ({ slot: slot.id, lane: slot.lane, busy: slot.busy }));
  }

  async acquire(lane: Lane, signal?: AbortSignal): Promise<SlotLease> {
    for (;;) {
      signal?.throwIfAborted();
      const lease = this.tryAcquire(lane);
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

  hold(slot: number): { release(): void } | undefined {
    const state = this.slots[slot];
    if (!state || state.busy) return undefined;
    state.busy = true;
    // Not a use: the slot keeps its place in the eviction order.
    return { release: this.freeOnce(state, false) };
  }

  private tryAcquire(lane: Lane): SlotLease | undefined {
    const own = this.slots.find((slot) => slot.lane !== undefined && sameLane(slot.lane, lane));
    if (own) return own.busy ? undefined : this.lease(own, lane, false, undefined);
    const idle = this.slots.filter((slot) => !slot.busy);
    if (idle.length === 0) return undefined;
    const rank = (slot: SlotState) => EVICTION_ORDER[slot.lane?.kind ?? "empty"];
    idle.sort((a, b) => rank(a) - rank(b) || a.lastUsed - b.lastUsed);
    const chosen = idle[0] as SlotState;
    return this.lease(chosen, lane, true, chosen.lane);
  }

  private lease(slot: SlotState, lane: Lane, reassigned: boolean, displacedLane: Lane | undefined): SlotLease {
    slot.busy = true;
    // A copy: the caller's lane may carry more (a session identity) than the slot view should show.
    if (reassigned) slot.lane = { sessionId: lane.sessionId, name: lane.name, kind: lane.kind };
    slot.lastUsed = Date.now();
    return { slot: slot.id, reassigned, displacedLane, release: this.freeOnce(slot, true) };
  }

  /** Frees the slot the first time it is called (`used`: the slot was used, for the eviction order), and wakes the waiters. */
  private freeOnce(slot: SlotState, used: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slot.busy = false;
      if (used) slot.lastUsed = Date.now();
      for (const wake of [...this.waiters]) wake();
    };
  }
}
