import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { CURRENT_RECORDINGS, recordingsOf } from "./fixtures.js";

describe("recorded client traffic", () => {
  it("replays the installed clients' recordings", () => {
    expect(CURRENT_RECORDINGS.anthropic.map((folder) => basename(folder))).toEqual([
      expect.stringMatching(/^claude-code-\d+\.\d+\.\d+$/),
    ]);
    expect(CURRENT_RECORDINGS.openai.map((folder) => basename(folder))).toEqual([
      expect.stringMatching(/^pi-\d+\.\d+\.\d+$/),
      expect.stringMatching(/^opencode-\d+\.\d+\.\d+$/),
    ]);
  });

  it("names the command when the installed version has no recordings", () => {
    expect(() => recordingsOf("claude-code", "0.0.0")).toThrow(
      "no recordings of claude-code 0.0.0, the version installed: run `npm run record:clients`",
    );
  });
});
