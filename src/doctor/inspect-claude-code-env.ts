import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { compactWindowNote } from "./compact-window.js";
import type { Finding } from "./doctor-findings.js";

/** Checks the Claude Code settings that decide whether it talks to Switchyard well. */
export function inspectClaudeCodeEnv(
  switchyardUrl: string,
  contextWindow: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Finding[] {
  const settingsPath = join(env.HOME || homedir(), ".claude", "settings.json");
  let settingsEnv: Record<string, string> = {};
  if (existsSync(settingsPath)) {
    try {
      settingsEnv = (JSON.parse(readFileSync(settingsPath, "utf8")) as { env?: Record<string, string> }).env ?? {};
    } catch {}
  }
  const value = (name: string) => env[name] ?? settingsEnv[name];
  const findings: Finding[] = [];
  const base = value("ANTHROPIC_BASE_URL");
  findings.push(
    base === switchyardUrl
      ? { level: "ok", check: "ANTHROPIC_BASE_URL", detail: base }
      : {
          level: "warn",
          check: "ANTHROPIC_BASE_URL",
          detail: base
            ? `${base}, not Switchyard (${switchyardUrl})`
            : "not set in this shell or ~/.claude/settings.json",
          fix: `run Claude Code with \`npx switchyard code\`, or \`eval "$(npx switchyard env)"\` first`,
        },
  );
  const window = value("CLAUDE_CODE_AUTO_COMPACT_WINDOW");
  const under = compactWindowNote(contextWindow);
  if (under) {
    findings.push(
      window === undefined
        ? { level: "ok", check: "CLAUDE_CODE_AUTO_COMPACT_WINDOW", detail: `not set: ${under}` }
        : {
            level: "warn",
            check: "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
            detail: `${window}: Claude Code raises a window under 100K to 100K and warns at every start; ${under}`,
            fix: "unset CLAUDE_CODE_AUTO_COMPACT_WINDOW (in the shell and in ~/.claude/settings.json)",
          },
    );
  } else if (contextWindow) {
    findings.push(
      window === String(contextWindow)
        ? { level: "ok", check: "CLAUDE_CODE_AUTO_COMPACT_WINDOW", detail: window }
        : {
            level: "warn",
            check: "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
            detail: window
              ? `${window}, but the backend's context is ${contextWindow}`
              : `not set: Claude Code assumes 200K, the backend has ${contextWindow}`,
            fix: `set CLAUDE_CODE_AUTO_COMPACT_WINDOW=${contextWindow} so auto-compact fires before the context overflows`,
          },
    );
  }
  const attribution = value("CLAUDE_CODE_ATTRIBUTION_HEADER");
  findings.push(
    attribution === "0"
      ? { level: "ok", check: "CLAUDE_CODE_ATTRIBUTION_HEADER", detail: "0" }
      : {
          level: "info",
          check: "CLAUDE_CODE_ATTRIBUTION_HEADER",
          detail:
            "not 0: Claude Code sends a billing header that changes between requests; Switchyard drops it, other gateways pass it on",
        },
  );
  return findings;
}
