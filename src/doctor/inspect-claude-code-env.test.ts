import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inspectClaudeCodeEnv } from "./inspect-claude-code-env.js";

describe("inspectClaudeCodeEnv: the compaction window", () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "switchyard-doctor-env-"));
    vi.stubEnv("HOME", home);
    vi.stubEnv("CLAUDE_CODE_AUTO_COMPACT_WINDOW", undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(home, { recursive: true, force: true });
  });
  const windowFinding = (context: number) =>
    inspectClaudeCodeEnv("http://127.0.0.1:4747", context).find(
      (finding) => finding.check === "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
    );

  it("asks for the backend's window when Claude Code takes it", () => {
    expect(windowFinding(131072)).toMatchObject({ level: "warn", fix: expect.stringContaining("=131072") });
    vi.stubEnv("CLAUDE_CODE_AUTO_COMPACT_WINDOW", "131072");
    expect(windowFinding(131072)).toMatchObject({ level: "ok" });
  });

  it("asks to unset a window under 100K, which Claude Code raises to 100K with a warning at every start", () => {
    expect(windowFinding(65536)).toMatchObject({ level: "ok", detail: expect.stringMatching(/^not set: .*65,536/) });
    vi.stubEnv("CLAUDE_CODE_AUTO_COMPACT_WINDOW", "65536");
    expect(windowFinding(65536)).toMatchObject({ level: "warn", fix: expect.stringMatching(/^unset/) });
  });
});
