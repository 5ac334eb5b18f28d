import { describe, expect, it } from "vitest";
import { SlotScheduler } from "./slot-scheduler.js";

describe("SlotScheduler", () => {
  it("keeps a lane on its slot", async () => {
    const slots = new SlotScheduler(2);
    const first = await slots.acquire("s1/main", "main");
    first.release();
    const again = await slots.acquire("s1/main", "main");
    expect(again.slot).toBe(first.slot);
    expect(again.reassigned).toBe(false);
  });

  it("gives side requests and subagents a free slot, not the main agent's", async () => {
    const slots = new SlotScheduler(3);
    (await slots.acquire("s1/main", "main")).release();
    const side = await slots.acquire("s1/side", "side");
    side.release();
    const sub = await slots.acquire("s1/subagent:a", "subagent");
    sub.release();
    expect(new Set([side.slot, sub.slot]).size).toBe(2);
    const main = await slots.acquire("s1/main", "main");
    expect([side.slot, sub.slot]).not.toContain(main.slot);
    main.release();
    // All slots hold lanes now: a new subagent takes the side lane's slot, never the main agent's.
    const sub2 = await slots.acquire("s1/subagent:b", "subagent");
    expect(sub2.slot).toBe(side.slot);
    expect(sub2.displacedLane).toBe("s1/side");
    expect(slots.displacedBy("s1/side")).toBe("s1/subagent:b");
  });

  it("evicts the least recently used lane of the same kind", async () => {
    const slots = new SlotScheduler(2);
    const a = await slots.acquire("a/main", "main");
    a.release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await slots.acquire("b/main", "main");
    b.release();
    const c = await slots.acquire("c/main", "main");
    expect(c.slot).toBe(a.slot);
    expect(c.displacedLane).toBe("a/main");
  });

  it("never puts two requests into one slot at once", async () => {
    const slots = new SlotScheduler(1);
    const first = await slots.acquire("s/main", "main");
    let secondStarted = false;
    const second = slots.acquire("s/main", "main").then((lease) => {
      secondStarted = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondStarted).toBe(false);
    first.release();
    expect((await second).slot).toBe(first.slot);
  });

  it("stops waiting when the request is aborted", async () => {
    const slots = new SlotScheduler(1);
    await slots.acquire("s/main", "main");
    const controller = new AbortController();
    const waiting = slots.acquire("t/main", "main", controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
  });
});
