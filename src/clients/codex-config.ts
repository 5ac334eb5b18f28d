import type { ClaudeCodeEnvInput } from "./claude-code-env.js";

/** What a caller may add: the model (`local` otherwise) and headers Codex sends on every request. */
export interface CodexExtras {
  model?: string;
  httpHeaders?: Readonly<Record<string, string>>;
}

/** A TOML basic string (JSON's escapes are TOML's for the characters a URL or a model name holds). */
const tomlString = (value: string) => JSON.stringify(value);

/** The variable Codex reads the gateway's key from (`env_key`), when the gateway has one. */
export const CODEX_KEY_VARIABLE = "SWITCHYARD_API_KEY";

/**
 * What points Codex at Switchyard, as TOML values by key: top-level settings, then the model provider's
 * table. A model provider at the Responses door (`wire_api = "responses"`, the only API Codex speaks),
 * with the gateway's key read from `SWITCHYARD_API_KEY` when it has one. `model_context_window` is the
 * serving backend's context, so Codex compacts before the local context is full; without it Codex knows
 * nothing of a model it has no metadata for, and compacts only when Switchyard answers
 * `context_length_exceeded`. Any model name works: names Switchyard does not know go to the first local
 * backend.
 */
function codexSettings(
  input: ClaudeCodeEnvInput,
  extras: CodexExtras,
): { top: [string, string][]; provider: [string, string][] } {
  const top: [string, string][] = [
    ["model", tomlString(extras.model ?? "local")],
    ["model_provider", tomlString("switchyard")],
  ];
  if (input.contextWindow) top.push(["model_context_window", String(input.contextWindow)]);
  const provider: [string, string][] = [
    ["name", tomlString("Switchyard")],
    ["base_url", tomlString(`${input.baseUrl.replace(/\/+$/, "")}/v1`)],
    ["wire_api", tomlString("responses")],
  ];
  if (input.apiKey) provider.push(["env_key", tomlString(CODEX_KEY_VARIABLE)]);
  const headers = Object.entries(extras.httpHeaders ?? {});
  if (headers.length > 0)
    provider.push([
      "http_headers",
      `{ ${headers.map(([name, value]) => `${tomlString(name)} = ${tomlString(value)}`).join(", ")} }`,
    ]);
  return { top, provider };
}

/**
 * The lines of Codex's `~/.codex/config.toml` that point it at Switchyard (`switchyard env --client codex`,
 * and each `switchyard eval` run's own CODEX_HOME).
 */
export function codexConfig(input: ClaudeCodeEnvInput, extras: CodexExtras = {}): string {
  const { top, provider } = codexSettings(input, extras);
  return [
    ...top.map(([key, value]) => `${key} = ${value}`),
    "",
    "[model_providers.switchyard]",
    ...provider.map(([key, value]) => `${key} = ${value}`),
  ].join("\n");
}

/**
 * The same settings as Codex's `-c key=value` overrides (`switchyard codex`), which leave the user's own
 * config.toml, sign-in and history as they are. `model` is left out when the user's arguments name one.
 */
export function codexOverrides(input: ClaudeCodeEnvInput, userArgs: readonly string[] = []): string[] {
  const { top, provider } = codexSettings(input, {});
  const namesModel = userArgs.some((arg) => /^(-m|--model)(=|$)|^model=/.test(arg));
  const settings = [
    ...top.filter(([key]) => !(key === "model" && namesModel)).map(([key, value]) => `${key}=${value}`),
    `model_providers.switchyard={${provider.map(([key, value]) => `${key}=${value}`).join(",")}}`,
  ];
  return settings.flatMap((setting) => ["-c", setting]);
}
