import type { ClaudeCodeEnvInput } from "./claude-code-env.js";

/** A TOML basic string (JSON's escapes are TOML's for the characters a URL or a model name holds). */
const tomlString = (value: string) => JSON.stringify(value);

/**
 * The lines of Codex's `~/.codex/config.toml` that point it at Switchyard (`switchyard env --client codex`
 * prints them): a model provider at the Responses door (`wire_api = "responses"`, the only API Codex
 * speaks), with the gateway's key read from `SWITCHYARD_API_KEY` when it has one. `model_context_window` is
 * the serving backend's context, so Codex compacts before the local context is full; without it Codex
 * knows nothing of a model it has no metadata for, and compacts only when Switchyard answers
 * `context_length_exceeded`. Any model name works: names Switchyard does not know go to the first local
 * backend.
 */
export function codexConfig(input: ClaudeCodeEnvInput): string {
  const lines = ['model = "local"', 'model_provider = "switchyard"'];
  if (input.contextWindow) lines.push(`model_context_window = ${input.contextWindow}`);
  lines.push(
    "",
    "[model_providers.switchyard]",
    'name = "Switchyard"',
    `base_url = ${tomlString(`${input.baseUrl.replace(/\/+$/, "")}/v1`)}`,
    'wire_api = "responses"',
  );
  if (input.apiKey) lines.push('env_key = "SWITCHYARD_API_KEY"');
  return lines.join("\n");
}
