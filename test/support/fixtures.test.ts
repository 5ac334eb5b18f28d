import { describe, expect, it } from "vitest";
import { recordingsOf } from "./fixtures.js";

describe("recorded client traffic", () => {
  // The recordings replayed are found by the installed clients' versions when this module loads, so an
  // update without `npm run record:clients` fails every test that imports them, with this message.
  it("names the command when the installed version has no recordings", () => {
    expect(() => recordingsOf("claude-code", "0.0.0")).toThrow(
      "no recordings of claude-code 0.0.0, the version installed: run `npm run record:clients`",
    );
  });
});
