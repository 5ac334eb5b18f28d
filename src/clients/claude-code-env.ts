import { CLAUDE_CODE_MIN_COMPACT_WINDOW } from "../doctor/compact-window.js";

/**
 * The environment that points Claude Code at Switchyard. Used by `switchyard code` (which starts
 * `claude` with it) and `switchyard env` (which prints it as shell exports).
 */
export interface ClaudeCodeEnvInput {
  baseUrl: string;
  /** The gateway's API key, when it requires one; any token works otherwise. */
  apiKey: string | undefined;
  /** The serving backend's real context window, so auto-compact fires at the right time. */
  contextWindow: number | undefined;
}

export function claudeCodeEnv(input: ClaudeCodeEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    ANTHROPIC_BASE_URL: input.baseUrl,
    // A bearer token, not ANTHROPIC_API_KEY: Claude Code does not then ask whether to trust a new API key.
    ANTHROPIC_AUTH_TOKEN: input.apiKey ?? "switchyard",
    // The attribution (billing) header changes between requests and would break the prompt cache.
    CLAUDE_CODE_ATTRIBUTION_HEADER: "0",
    // No telemetry, error reporting or update checks: nothing leaves the machine.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    // A cold prefill of a long context on local hardware can take minutes.
    API_TIMEOUT_MS: "3000000",
  };
  // Under Claude Code's least it is raised to 100K with a warning: then it compacts on `prompt is too long`.
  if (input.contextWindow && input.contextWindow >= CLAUDE_CODE_MIN_COMPACT_WINDOW)
    env.CLAUDE_CODE_AUTO_COMPACT_WINDOW = String(input.contextWindow);
  return env;
}

/** One word for a POSIX shell, single-quoted. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

/** POSIX shell exports, single-quoted. */
export function shellExports(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join("\n");
}
