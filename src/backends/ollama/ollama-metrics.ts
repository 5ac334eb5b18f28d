import type { BackendTimings, StopReason, Usage } from "../../core/canonical.js";

/** The counters of Ollama's final chunk (api/types.go `Metrics`; docs/api/usage.mdx). Durations in ns. */
export interface OllamaMetrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

const NS_PER_MS = 1e6;

/**
 * Usage from Ollama's counters. `prompt_eval_count` is the whole prompt, cached tokens included: the
 * runner sets it to the prompt's length before the cache is consulted (runner/ollamarunner/runner.go,
 * `numPromptInputs: len(inputs)`), and since 0.30 the llama-server path adds `cache_n` back for the same
 * meaning (ollama/ollama#16428). Ollama never says how many of them came from the cache, so the split
 * between prefilled and reused is unknown: all prompt tokens are counted as input and both fields are
 * marked unreported. Old servers (0.1.x) omitted the field when the prompt was cached (#2068,
 * #3427); then the prompt size is unknown too. Every field is `omitempty` upstream: absent means 0 or
 * not measured, so an absent `eval_count` is marked unreported rather than taken as 0.
 */
export function ollamaUsage(metrics: OllamaMetrics): Usage {
  const usage: Usage = {
    inputTokens: metrics.prompt_eval_count ?? 0,
    outputTokens: metrics.eval_count ?? 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    unreported: ["inputTokens", "cacheReadTokens"],
  };
  if (metrics.prompt_eval_count !== undefined) usage.promptTokens = metrics.prompt_eval_count;
  if (metrics.eval_count === undefined) usage.unreported?.push("outputTokens");
  return usage;
}

/**
 * Timings in ms. Decode speed is `eval_count / eval_duration` (as docs/api.md says). No prefill speed:
 * `prompt_eval_duration` covers only the tokens Ollama evaluated, while `prompt_eval_count` counts the
 * cached ones too, so their ratio would overstate the speed on every warm turn.
 */
export function ollamaTimings(metrics: OllamaMetrics): BackendTimings {
  const timings: BackendTimings = {};
  if (metrics.prompt_eval_duration !== undefined) timings.promptMs = metrics.prompt_eval_duration / NS_PER_MS;
  if (metrics.eval_duration !== undefined) {
    timings.predictedMs = metrics.eval_duration / NS_PER_MS;
    if (metrics.eval_count !== undefined && metrics.eval_duration > 0)
      timings.predictedPerSecond = metrics.eval_count / (metrics.eval_duration / 1e9);
  }
  if (metrics.load_duration !== undefined) timings.loadMs = metrics.load_duration / NS_PER_MS;
  return timings;
}

/**
 * `done_reason` → canonical stop reason. Ollama says `stop` for an end of turn, a stop sequence and a
 * tool call alike (docs/api.md, "Chat request (Streaming with tools)"), so a turn that produced tool
 * calls is `tool_use`; which stop sequence matched is not reported. `load` and `unload` answer requests
 * without messages.
 */
export function mapOllamaDoneReason(raw: string | undefined, sawToolCall: boolean): StopReason {
  const reason = raw ?? "stop";
  if (reason === "length") return { unified: "max_tokens", raw: reason };
  if (sawToolCall) return { unified: "tool_use", raw: reason };
  return { unified: "end_turn", raw: reason };
}
