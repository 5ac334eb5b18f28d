import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectClaudeCodeEnv } from "./inspect-claude-code-env.js";

describe("inspectClaudeCodeEnv: the compaction window", () => {
  const home = mkdtempSync(join(tmpdir(), "switchyard-doctor-env-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const windowFinding = (context: number, env: Record<string, string> = {}) =>
    inspectClaudeCodeEnv("http://127.0.0.1:4747", context, { HOME: home, ...env }).find(
      (finding) => finding.check === "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
    );

  it("asks for the backend's window when Claude Code takes it", () => {
    expect(windowFinding(131072)).toMatchObject({ level: "warn", fix: expect.stringContaining("=131072") });
    expect(windowFinding(131072, { CLAUDE_CODE_AUTO_COMPACT_WINDOW: "131072" })).toMatchObject({ level: "ok" });
  });

  it("asks to unset a window under 100K, which Claude Code raises to 100K with a warning at every start", () => {
    expect(windowFinding(65536)).toMatchObject({ level: "ok", detail: expect.stringMatching(/^not set: .*65,536/) });
    expect(windowFinding(65536, { CLAUDE_CODE_AUTO_COMPACT_WINDOW: "65536" })).toMatchObject({
      level: "warn",
      fix: expect.stringMatching(/^unset/),
    });
  });

  it("reads the window from ~/.claude/settings.json too", () => {
    mkdirSync(join(home, ".claude"), { recursive: true });
    writeFileSync(
      join(home, ".claude", "settings.json"),
      JSON.stringify({ env: { CLAUDE_CODE_AUTO_COMPACT_WINDOW: "65536" } }),
    );
    expect(windowFinding(65536)).toMatchObject({ level: "warn" });
  });
});
