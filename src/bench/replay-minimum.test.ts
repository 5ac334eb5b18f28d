import { describe, expect, it } from "vitest";
import { type LanePrompt, laneMinimum } from "./replay-minimum.js";

const prompt = (key: string, length: number): LanePrompt => ({
  lane: key,
  key,
  tokens: Array.from({ length }, (_, index) => index),
});

describe("laneMinimum", () => {
  // One lane growing 100 → 200 → 300 tokens, a side request between.
  const prompts = [prompt("s/main", 100), prompt("s/side", 20), prompt("s/main", 200), prompt("s/main", 300)];

  it("is what a prompt adds to its lane's previous one (a lane's first: all of it)", () => {
    expect(prompts.map((_, position) => laneMinimum(prompts, position).minimum)).toEqual([100, 20, 100, 100]);
  });

  it("skips a turn of the lane that was not served: the server was promised nothing by it", () => {
    // The 200-token turn failed (say its replica was killed mid-prefill): the 300-token turn adds 200 to
    // the last prompt the lane was served.
    expect(laneMinimum(prompts, 3, [true, true, false]).minimum).toBe(200);
    // A failed turn of another lane changes nothing.
    expect(laneMinimum(prompts, 3, [true, false, true]).minimum).toBe(100);
    // Nothing of the lane served before: all of it.
    expect(laneMinimum(prompts, 3, [false, true, false])).toEqual({ lane: "s/main", tokens: 300, minimum: 300 });
  });

  it("counts from where the prompt leaves its lane's previous one", () => {
    const edited: LanePrompt = { lane: "s/main", key: "s/main", tokens: [0, 1, 2, 9, 9] };
    expect(laneMinimum([prompt("s/main", 4), edited], 1).minimum).toBe(2);
  });
});
