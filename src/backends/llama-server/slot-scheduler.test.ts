import { describe, expect, it } from "vitest";
import type { Lane, LaneName } from "../../sessions/lane.js";
import { type SlotLease, SlotScheduler } from "./slot-scheduler.js";

const lane = (sessionId: string, name: LaneName): Lane => ({
  sessionId,
  name,
  kind: name === "main" || name === "side" ? name : "subagent",
});

/** Asks for a slot for `of` and waits 20 ms: the lease to come, and whether it had been given by then. */
async function acquireLater(
  slots: SlotScheduler,
  of: Lane,
): Promise<{ lease: Promise<SlotLease>; givenSoon: boolean }> {
  let given = false;
  const lease = slots.acquire(of).then((granted) => {
    given = true;
    return granted;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { lease, givenSoon: given };
}

describe("SlotScheduler", () => {
  it("keeps a lane on its slot", async () => {
    const slots = new SlotScheduler(2);
    const first = await slots.acquire(lane("s1", "main"));
    first.release();
    // Another object naming the same lane: lanes are compared by session and name.
    const again = await slots.acquire(lane("s1", "main"));
    expect(again.slot).toBe(first.slot);
    expect(again.reassigned).toBe(false);
  });

  it("gives side requests and subagents a free slot, not the main agent's", async () => {
    const slots = new SlotScheduler(3);
    (await slots.acquire(lane("s1", "main"))).release();
    const side = await slots.acquire(lane("s1", "side"));
    side.release();
    const sub = await slots.acquire(lane("s1", "subagent:a"));
    sub.release();
    expect(new Set([side.slot, sub.slot]).size).toBe(2);
    const main = await slots.acquire(lane("s1", "main"));
    expect([side.slot, sub.slot]).not.toContain(main.slot);
    main.release();
    // All slots hold lanes now: a new subagent takes the side lane's slot, never the main agent's.
    const sub2 = await slots.acquire(lane("s1", "subagent:b"));
    expect(sub2.slot).toBe(side.slot);
    expect(sub2.reassigned).toBe(true);
    expect(sub2.displacedLane).toEqual(lane("s1", "side"));
    expect(slots.snapshot()[sub2.slot]?.lane).toEqual(lane("s1", "subagent:b"));
  });

  it("evicts the least recently used lane of the same kind", async () => {
    const slots = new SlotScheduler(2);
    const a = await slots.acquire(lane("a", "main"));
    a.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await slots.acquire(lane("b", "main"));
    b.release();
    const c = await slots.acquire(lane("c", "main"));
    expect(c.slot).toBe(a.slot);
    expect(c.displacedLane).toEqual(lane("a", "main"));
  });

  it("never puts two requests into one slot at once", async () => {
    const slots = new SlotScheduler(1);
    const first = await slots.acquire(lane("s", "main"));
    const second = await acquireLater(slots, lane("s", "main"));
    expect(second.givenSoon).toBe(false);
    first.release();
    expect((await second.lease).slot).toBe(first.slot);
  });

  it("stops waiting when the request is aborted", async () => {
    const slots = new SlotScheduler(1);
    await slots.acquire(lane("s", "main"));
    const controller = new AbortController();
    const waiting = slots.acquire(lane("t", "main"), controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
  });

  /** Two slots, used by lane `a` and then, later, by lane `b`: `a`'s is the least recently used. */
  async function usedByTwoLanes(): Promise<{ slots: SlotScheduler; aSlot: number }> {
    const slots = new SlotScheduler(2);
    const a = await slots.acquire(lane("a", "main"));
    a.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    (await slots.acquire(lane("b", "main"))).release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { slots, aSlot: a.slot };
  }

  it("holds an idle slot for a moment while its lane waits", async () => {
    const { slots, aSlot } = await usedByTwoLanes();
    const hold = slots.hold(aSlot);
    expect(hold).toBeDefined();
    expect(slots.hold(aSlot)).toBeUndefined();
    const again = await acquireLater(slots, lane("a", "main"));
    expect(again.givenSoon).toBe(false);
    hold?.release();
    const lease = await again.lease;
    expect([lease.slot, lease.reassigned]).toEqual([aSlot, false]);
    lease.release();
  });

  it("does not count a hold as a use when it picks a slot to take", async () => {
    const { slots, aSlot } = await usedByTwoLanes();
    slots.hold(aSlot)?.release();
    // `a`'s is still the least recently used: a new lane takes it.
    expect((await slots.acquire(lane("c", "main"))).slot).toBe(aSlot);
  });
});
