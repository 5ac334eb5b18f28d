import type { ClaudeCodeEnvInput } from "./claude-code-env.js";

/**
 * The environment that points Goose at Switchyard, through its Anthropic provider (`switchyard env
 * --client goose` prints it). The model is a Claude name, which Switchyard routes as it routes Claude
 * Code's. `GOOSE_CONTEXT_LIMIT` is the serving backend's context, so Goose compacts at its threshold (80%
 * by default) before the context is full; without it Goose counts against the cloud model's window and
 * compacts only when Switchyard answers that the prompt is too long.
 */
export function gooseEnv(input: ClaudeCodeEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    GOOSE_PROVIDER: "anthropic",
    GOOSE_MODEL: "claude-sonnet-4-5",
    ANTHROPIC_HOST: input.baseUrl,
    ANTHROPIC_API_KEY: input.apiKey ?? "switchyard",
  };
  if (input.contextWindow) env.GOOSE_CONTEXT_LIMIT = String(input.contextWindow);
  return env;
}
