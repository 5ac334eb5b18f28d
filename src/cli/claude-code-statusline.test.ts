import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../util/free-port.js";
import { statusLineSettingsArgs } from "./claude-code-statusline.js";

describe("statusLineSettingsArgs", () => {
  it("gives Claude Code a statusLine of type command that runs from any directory", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { args, notice } = statusLineSettingsArgs(url, mkdtempSync(join(tmpdir(), "switchyard-home-")));
    expect(notice).toBeUndefined();
    expect(args[0]).toBe("--settings");
    const settings = JSON.parse(args[1] as string) as { statusLine: { type: string; command: string } };
    expect(settings.statusLine.type).toBe("command");
    // Claude Code runs the command with a shell, in the user's project, the session JSON on stdin.
    const line = execFileSync("sh", ["-c", settings.statusLine.command], {
      cwd: tmpdir(),
      input: JSON.stringify({ session_id: "s", model: { display_name: "Opus" } }),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(line).toBe(`⇄ Switchyard not answering at ${url} · Opus\n`);
  });

  it("says when it overrides the user's own status line, and leaves the user's settings file alone", () => {
    const home = mkdtempSync(join(tmpdir(), "switchyard-home-"));
    mkdirSync(join(home, ".claude"));
    const file = join(home, ".claude", "settings.json");
    const own = `${JSON.stringify({ statusLine: { type: "command", command: "my-line" } }, null, 2)}\n`;
    writeFileSync(file, own);
    const { notice } = statusLineSettingsArgs("http://127.0.0.1:4747", home);
    expect(notice).toContain("for this session only");
    expect(readFileSync(file, "utf8")).toBe(own);
  });
});
