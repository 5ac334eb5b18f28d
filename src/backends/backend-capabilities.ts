import type { BackendKind } from "./backend.js";

/**
 * What each backend adapter does, as data: the conformance suite (test/conformance/) checks each flag
 * against the adapter, and the README's backend table is rendered from the same flags (a test keeps
 * them equal), so neither can claim what the other does not.
 */
export interface BackendCapabilities {
  label: string;
  streaming: boolean;
  /** Tool definitions go upstream and streamed tool calls come back with parsed input. */
  tools: boolean;
  /** Thinking is switched per request and streamed back as thinking blocks. */
  thinking: boolean;
  /**
   * How reused prefix-cache tokens are reported: `always` (llama-server's timings), when the API sends
   * the usage fields (clouds), or only when the server runs with a flag. Otherwise the turn record says
   * unknown rather than 0.
   */
  cacheReporting: "always" | "when-sent" | "never" | { flag: string };
  /** count_tokens is the backend's own count (template and tokenizer), not an estimate. */
  exactCounts: boolean;
}

export const BACKEND_CAPABILITIES: Readonly<Record<BackendKind, BackendCapabilities>> = {
  "llama-server": {
    label: "llama.cpp `llama-server`",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "always",
    exactCounts: true,
  },
  anthropic: {
    label: "Anthropic API",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "when-sent",
    exactCounts: true,
  },
  "openai-compatible": {
    label: "OpenAI-compatible (NVIDIA NIM, OpenRouter, any `/v1/chat/completions`)",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "when-sent",
    exactCounts: false,
  },
  ollama: {
    label: "Ollama (native `/api/chat`)",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: "never",
    // Exact only with a readable GGUF and an Ollama that renders prompts (`_debug_render_only`).
    exactCounts: false,
  },
  vllm: {
    label: "vLLM",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: { flag: "--enable-prompt-tokens-details" },
    exactCounts: true,
  },
  sglang: {
    label: "SGLang",
    streaming: true,
    tools: true,
    thinking: true,
    cacheReporting: { flag: "--enable-cache-report" },
    exactCounts: false,
  },
};

const yesNo = (value: boolean) => (value ? "yes" : "no");

function cacheCell(reporting: BackendCapabilities["cacheReporting"]): string {
  if (reporting === "always") return "always";
  if (reporting === "when-sent") return "when the API sends it, else unknown";
  if (reporting === "never") return "never (unknown)";
  return `with \`${reporting.flag}\`, else unknown`;
}

/** The README's table of what works per backend, one row per adapter. */
export function capabilityTable(kinds: readonly BackendKind[] = Object.keys(BACKEND_CAPABILITIES) as BackendKind[]) {
  const rows = kinds.map((kind) => {
    const flags = BACKEND_CAPABILITIES[kind];
    const counts = flags.exactCounts ? "exact" : "estimate (labelled)";
    return `| ${flags.label} | \`${kind}\` | ${yesNo(flags.streaming)} | ${yesNo(flags.tools)} | ${yesNo(flags.thinking)} | ${cacheCell(flags.cacheReporting)} | ${counts} |`;
  });
  return [
    "| backend | `type` | streaming | tools | thinking | cache reuse reported | count_tokens |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
