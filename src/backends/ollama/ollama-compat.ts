/**
 * What differs between Ollama servers and models, as data: detected once per model from `/api/show`,
 * overridable from the config.
 */
export interface OllamaCompat {
  /**
   * How a `system` message in the middle of the conversation is sent. Ollama's template engine collates
   * every system message, wherever it stands, into `.System`, which most templates render at the head of
   * the prompt (template/template.go, `collate`): a mid-conversation system message would change the
   * prompt's head and lose the whole cache. `as-user` sends it as a user turn at the same position,
   * wrapped in <system-reminder> tags; `native` sends it as a system message (for models known to render
   * system messages in place).
   */
  midConversationSystem: "native" | "as-user";
  /** The model takes images (`vision` in /api/show capabilities). */
  vision: boolean;
  /**
   * What `think` the model takes: `none` (no `thinking` capability: `think` is left out, Ollama answers
   * 400 to `think: true` there), `boolean`, or named `levels` (GPT-OSS: low, medium, high).
   */
  thinking: "none" | "boolean" | "levels";
  /** The named thinking levels the model takes, from /api/show `thinking.values`. */
  thinkingLevels: string[];
  /**
   * The model lists capabilities but not `tools` (gemma3, llama2, phi3…): Ollama answers 400 "does not
   * support tools" to any request with tools, and its template drops tool results. Tools, calls and results
   * are written as text instead (src/backends/tools-as-text.ts) and the model's calls read back from its text.
   */
  toolsAsText: boolean;
}

export const DEFAULT_OLLAMA_COMPAT: OllamaCompat = {
  midConversationSystem: "as-user",
  vision: false,
  thinking: "boolean",
  thinkingLevels: [],
  toolsAsText: false,
};

/** What /api/show says about a model (docs/api.md "Show Model Information"; api/types.go ShowResponse). */
export interface OllamaShow {
  capabilities?: string[];
  model_info?: Record<string, unknown>;
  template?: string;
  parameters?: string;
  modelfile?: string;
  thinking?: { values?: unknown[]; default?: unknown };
}

/** Compat flags for a model from its /api/show answer. */
export function compatFromShow(show: OllamaShow): OllamaCompat {
  const capabilities = show.capabilities ?? [];
  const levels = (show.thinking?.values ?? []).filter((value): value is string => typeof value === "string");
  const thinks =
    capabilities.includes("thinking") && !(show.thinking?.values?.length === 1 && show.thinking.values[0] === false);
  return {
    ...DEFAULT_OLLAMA_COMPAT,
    vision: capabilities.includes("vision"),
    thinking: !thinks ? "none" : levels.length > 0 && !show.thinking?.values?.includes(true) ? "levels" : "boolean",
    thinkingLevels: levels,
    // A server too old to list capabilities says nothing either way: tools are sent as they are.
    toolsAsText: capabilities.length > 0 && !capabilities.includes("tools"),
  };
}

/**
 * The model's trained context length from /api/show `model_info` (`<architecture>.context_length`), and
 * a `num_ctx` the Modelfile sets (`PARAMETER num_ctx N` in `modelfile`, or `num_ctx N` in the
 * `parameters` text), when either is there.
 */
export function contextFromShow(show: OllamaShow): { trained?: number; modelfile?: number } {
  const info = show.model_info ?? {};
  const architecture = info["general.architecture"];
  const trained = typeof architecture === "string" ? info[`${architecture}.context_length`] : undefined;
  const modelfile =
    /^num_ctx\s+(\d+)\s*$/m.exec(show.parameters ?? "")?.[1] ??
    /^PARAMETER\s+num_ctx\s+(\d+)\s*$/im.exec(show.modelfile ?? "")?.[1];
  return {
    trained: typeof trained === "number" ? trained : undefined,
    modelfile: modelfile === undefined ? undefined : Number(modelfile),
  };
}
