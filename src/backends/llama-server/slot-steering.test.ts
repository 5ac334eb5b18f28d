import { describe, expect, it } from "vitest";
import { parseSlots, slotsToEmpty, steerTarget } from "./slot-steering.js";

describe("parseSlots", () => {
  it("reads each slot's id, whether it works, the tokens it holds and its last task (none before its first)", () => {
    const answer = [
      { id: 0, n_ctx: 8192, is_processing: false },
      { id: 1, n_ctx: 8192, is_processing: true, id_task: 7, n_prompt_tokens: 4400, prompt: "…" },
      { id: 2, n_ctx: 8192, is_processing: false, id_task: 5, n_prompt_tokens: 0 },
    ];
    expect(parseSlots(answer)).toEqual([
      { id: 0, processing: false, tokens: 0, task: undefined },
      { id: 1, processing: true, tokens: 4400, task: 7 },
      { id: 2, processing: false, tokens: 0, task: 5 },
    ]);
  });

  it("is undefined for what is not a /slots answer", () => {
    expect(parseSlots({ error: { code: 501 } })).toBeUndefined();
    expect(parseSlots(undefined)).toBeUndefined();
    expect(parseSlots([{ id: "0", is_processing: false }])).toBeUndefined();
    expect(parseSlots([null])).toBeUndefined();
  });
});

describe("steerTarget", () => {
  const slots = [
    { id: 0, processing: false, tokens: 0 },
    { id: 1, processing: false, tokens: 300 },
    { id: 2, processing: true, tokens: 9000 },
    { id: 3, processing: false, tokens: 4400 },
  ];

  it("is the idle slot holding the most tokens", () => {
    expect(steerTarget(slots, new Set())).toBe(3);
  });

  it("leaves out a slot another turn is being steered to", () => {
    expect(steerTarget(slots, new Set([3]))).toBe(1);
  });

  it("is undefined when no idle slot holds anything: the server places the turn", () => {
    expect(steerTarget(slots, new Set([1, 3]))).toBeUndefined();
    expect(steerTarget([{ id: 0, processing: false, tokens: 0 }], new Set())).toBeUndefined();
  });
});

describe("slotsToEmpty", () => {
  // Ranks as the slot scheduler orders eviction: empty 0, side 1, subagent 2, main 3.
  const slots = [
    { id: 0, processing: false, tokens: 400, rank: 1 },
    { id: 1, processing: false, tokens: 22_000, rank: 3 },
    { id: 2, processing: false, tokens: 0, rank: 2 },
    { id: 3, processing: false, tokens: 9_000, rank: 2 },
  ];

  it("is nothing when the turn fits beside what the other slots hold (its own slot's prompt is its to reuse)", () => {
    expect(slotsToEmpty(slots, 3, 9_500, 32_768)).toEqual([]);
  });

  it("empties the least important lanes first, until the turn fits", () => {
    // Slot 2's subagent needs 16,500 tokens beside 31,400 held in a 40,000-token context: the side's 400
    // are not enough, the other subagent's 9,000 are.
    expect(slotsToEmpty(slots, 2, 16_500, 40_000)).toEqual([0, 3]);
    // A main agent's turn that fits only alone: every other lane goes, the main last.
    expect(slotsToEmpty(slots, 2, 30_000, 32_768)).toEqual([0, 3, 1]);
  });

  it("never empties a slot at work, and gives what it can when that is not enough", () => {
    const working = slots.map((slot) => (slot.id === 1 ? { ...slot, processing: true } : slot));
    expect(slotsToEmpty(working, 2, 30_000, 32_768)).toEqual([0, 3]);
  });
});
