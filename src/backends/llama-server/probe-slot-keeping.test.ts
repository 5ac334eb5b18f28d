import { describe, expect, it } from "vitest";
import { type CompletionCall, keepsIdleSlots } from "./probe-slot-keeping.js";

/** A server model: each slot holds its last prompt unless idle slots are emptied when a task starts. */
function server(emptiesIdleSlots: boolean): CompletionCall {
  const slots = new Map<number, string>();
  return async (body) => {
    const slot = body.id_slot as number;
    const prompt = body.prompt as string;
    if (emptiesIdleSlots) for (const other of slots.keys()) if (other !== slot) slots.delete(other);
    const cached = slots.get(slot) === prompt ? prompt.length : 0;
    slots.set(slot, prompt);
    return { timings: { cache_n: cached } };
  };
}

describe("keepsIdleSlots", () => {
  it("is true for a server that keeps an idle slot's prompt, false for one that empties it", async () => {
    expect(await keepsIdleSlots(server(false), 4)).toBe(true);
    expect(await keepsIdleSlots(server(true), 4)).toBe(false);
  });

  it("pins as before when there is one slot, or when the server refuses the probe", async () => {
    expect(await keepsIdleSlots(server(true), 1)).toBe(true);
    expect(
      await keepsIdleSlots(async () => {
        throw new Error("404");
      }, 4),
    ).toBe(true);
  });
});
