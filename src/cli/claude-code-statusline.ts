import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { extname, join } from "node:path";
import { shellQuote } from "../clients/claude-code-env.js";

/**
 * The shell command Claude Code runs for its status line: this installation's fast status-line entry
 * (statusline-main), with the same Node and, when running from source, the same TypeScript loader.
 */
export function statusLineCommand(url: string): string {
  const extension = extname(import.meta.filename);
  const entry = join(import.meta.dirname, `statusline-main${extension}`);
  // From source (tests, `npm run` with tsx) the entry is TypeScript: load tsx by absolute URL, since
  // Claude Code runs the command in the user's project, where `tsx` does not resolve.
  const loader = extension === ".ts" ? ["--import", import.meta.resolve("tsx")] : [];
  return [process.execPath, ...loader, entry, "--url", url].map(shellQuote).join(" ");
}

/**
 * Claude Code's `--settings` argument that adds Switchyard's status line for this run only: the user's
 * own ~/.claude/settings.json is read (to say what is overridden), never written.
 */
export function statusLineSettingsArgs(url: string, home = homedir()): { args: string[]; notice?: string } {
  const settings = { statusLine: { type: "command", command: statusLineCommand(url), padding: 0 } };
  const args = ["--settings", JSON.stringify(settings)];
  const userSettings = join(home, ".claude", "settings.json");
  try {
    if (existsSync(userSettings) && "statusLine" in JSON.parse(readFileSync(userSettings, "utf8"))) {
      return {
        args,
        notice: `your statusLine in ${userSettings} is replaced by Switchyard's for this session only; the file is unchanged`,
      };
    }
  } catch {}
  return { args };
}
