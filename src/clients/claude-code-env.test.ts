import { describe, expect, it } from "vitest";
import { compactWindowNote } from "../doctor/compact-window.js";
import { claudeCodeEnv, shellExports } from "./claude-code-env.js";

describe("claudeCodeEnv", () => {
  it("points Claude Code at the gateway with the backend's real context window", () => {
    const env = claudeCodeEnv({ baseUrl: "http://127.0.0.1:4747", apiKey: undefined, contextWindow: 131072 });
    expect(env).toMatchObject({
      ANTHROPIC_BASE_URL: "http://127.0.0.1:4747",
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: "131072",
      CLAUDE_CODE_ATTRIBUTION_HEADER: "0",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
    expect(Number(env.API_TIMEOUT_MS)).toBeGreaterThanOrEqual(600_000);
  });
  it("sets no window under the 100K Claude Code takes at the least, and says why", () => {
    const env = claudeCodeEnv({ baseUrl: "http://127.0.0.1:4747", apiKey: undefined, contextWindow: 65536 });
    expect(env.CLAUDE_CODE_AUTO_COMPACT_WINDOW).toBeUndefined();
    expect(compactWindowNote(65536)).toMatch(/65,536 tokens.*prompt is too long/);
    expect(compactWindowNote(131072)).toBeUndefined();
  });
  it("quotes values for the shell", () => {
    expect(shellExports({ A: "it's" })).toBe("export A='it'\\''s'");
  });
});
