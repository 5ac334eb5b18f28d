import { describe, expect, it } from "vitest";
import { type CpuProfile, timesInWindows } from "../bench/support/profile-windows.js";

/** root → handle → parse, root → handle (own time), root → (idle), root → (garbage collector). */
const frame = (functionName: string, url = "file:///work/src/gateway/x.ts", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 4, 5] },
    { id: 2, callFrame: frame("handle", "file:///work/src/gateway/x.ts", 9), children: [3] },
    { id: 3, callFrame: frame("parse", "file:///work/src/util/y.ts", 19) },
    { id: 4, callFrame: frame("(idle)", "") },
    { id: 5, callFrame: frame("(garbage collector)", "") },
  ],
  startTime: 1_000,
  // Samples at 1,010, 1,020, …: each takes the time to the next one (10 µs; the last, none).
  samples: [2, 3, 3, 4, 5, 2, 3, 4],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10],
};

describe("bench:overhead's CPU profile read per request window", () => {
  it("credits each sample inside a window to its function and every caller, and leaves out idle time and what lies outside", () => {
    // Two requests: [1,010, 1,030] holds handle, parse, parse; [1,050, 1,070] holds the collector, handle, parse.
    const times = timesInWindows(profile, [
      [1_050, 1_070],
      [1_010, 1_030],
    ]);
    expect(times.windows).toBe(2);
    expect(times.busyUs).toBe(60);
    expect(Object.fromEntries(times.self)).toEqual({
      "handle src/gateway/x.ts:10": 20,
      "parse src/util/y.ts:20": 30,
      "(garbage collector)": 10,
    });
    expect(Object.fromEntries(times.inclusive)).toEqual({
      "handle src/gateway/x.ts:10": 50,
      "parse src/util/y.ts:20": 30,
      "(garbage collector)": 10,
    });
  });

  it("a window between samples holds nothing", () => {
    const times = timesInWindows(profile, [[1_011, 1_019]]);
    expect(times.busyUs).toBe(0);
    expect(times.self.size).toBe(0);
  });

  it("a function that calls itself is counted once per sample with its callees", () => {
    const recursive: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2] },
        { id: 2, callFrame: frame("walk"), children: [3] },
        { id: 3, callFrame: frame("walk") },
      ],
      startTime: 0,
      samples: [3, 3],
      timeDeltas: [10, 10],
    };
    const times = timesInWindows(recursive, [[0, 100]]);
    expect(Object.fromEntries(times.inclusive)).toEqual({ "walk src/gateway/x.ts": 10 });
  });
});
