import { describe, expect, it } from "vitest";
import { parseSlots, steerTarget } from "./slot-steering.js";

describe("parseSlots", () => {
  it("reads each slot's id, whether it works, and the tokens it holds (none before its first task)", () => {
    const answer = [
      { id: 0, n_ctx: 8192, is_processing: false },
      { id: 1, n_ctx: 8192, is_processing: true, id_task: 7, n_prompt_tokens: 4400, prompt: "…" },
      { id: 2, n_ctx: 8192, is_processing: false, id_task: 5, n_prompt_tokens: 0 },
    ];
    expect(parseSlots(answer)).toEqual([
      { id: 0, processing: false, tokens: 0 },
      { id: 1, processing: true, tokens: 4400 },
      { id: 2, processing: false, tokens: 0 },
    ]);
  });

  it("is undefined for what is not a /slots answer", () => {
    expect(parseSlots({ error: { code: 501 } })).toBeUndefined();
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
