import { readSseEvents } from "../util/sse-lines.js";

/** The two streaming wires a bench target can speak. */
export type Wire = "anthropic" | "openai";

/** The wires a bench can read a stream of: a target's, and OpenAI Responses (replayed Codex sessions). */
export type StreamWire = Wire | "responses";

/** llama-server's `timings` (OpenAI wire), or the same read from a Switchyard turn record. */
export interface ServerTimings {
  promptN?: number;
  promptMs?: number;
  predictedN?: number;
  predictedMs?: number;
  cacheN?: number;
}

/** What one streamed answer looked like from the client, with the usage and timings the server sent. */
export interface StreamMeasurement {
  /**
   * Milliseconds from sending the request to the answer's first event (the keep-alive comments a server
   * sends during a long prefill are not one).
   */
  firstByteMs: number | undefined;
  /** Milliseconds from sending the request to each event that carried generated content. */
  contentTimesMs: number[];
  /** Prompt tokens in all (prefilled + reused), when the server said. */
  promptTokens: number | undefined;
  /** Prompt tokens read from the server's cache; undefined when the server does not report it (unknown, not 0). */
  reusedTokens: number | undefined;
  outputTokens: number | undefined;
  timings: ServerTimings | undefined;
  /** Milliseconds from sending the request to the end of the stream. */
  totalMs: number;
  /** An error event in the stream, or a stream that ended early. */
  error: string | undefined;
  /** The answer's text (not its thinking or tool calls), to send back as the assistant turn. */
  text: string;
}

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
}

/** Response events that carry generated content (text, reasoning, a call's arguments or input). */
const RESPONSES_CONTENT_DELTAS = new Set([
  "response.output_text.delta",
  "response.reasoning_text.delta",
  "response.reasoning_summary_text.delta",
  "response.function_call_arguments.delta",
  "response.custom_tool_call_input.delta",
]);

interface OpenAIChunk {
  choices?: Array<{
    delta?: { content?: string | null; reasoning_content?: string | null; tool_calls?: unknown[] };
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
  timings?: LlamaTimings;
  error?: { message?: string };
}

interface LlamaTimings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  cache_n?: number;
}

class Accumulator {
  firstByteMs: number | undefined;
  readonly contentTimesMs: number[] = [];
  promptTokens: number | undefined;
  reusedTokens: number | undefined;
  outputTokens: number | undefined;
  timings: ServerTimings | undefined;
  error: string | undefined;
  text = "";
  finished = false;

  anthropic(event: string | undefined, data: Record<string, unknown>, at: number): void {
    const type = (data.type as string | undefined) ?? event;
    if (type === "message_start") this.anthropicUsage((data.message as { usage?: AnthropicUsage } | undefined)?.usage);
    else if (type === "content_block_delta") {
      const delta = data.delta as { type?: string; text?: string; thinking?: string; partial_json?: string };
      if (delta?.text || delta?.thinking || delta?.partial_json) this.contentTimesMs.push(at);
      if (delta?.text) this.text += delta.text;
    } else if (type === "message_delta") this.anthropicUsage(data.usage as AnthropicUsage | undefined);
    else if (type === "message_stop") this.finished = true;
    else if (type === "error")
      this.error = (data.error as { message?: string } | undefined)?.message ?? JSON.stringify(data);
  }

  private anthropicUsage(usage: AnthropicUsage | undefined): void {
    if (!usage) return;
    if (usage.output_tokens !== undefined) this.outputTokens = usage.output_tokens;
    if (usage.input_tokens === undefined) return;
    const reused = usage.cache_read_input_tokens ?? undefined;
    this.reusedTokens = reused;
    this.promptTokens = usage.input_tokens + (reused ?? 0) + (usage.cache_creation_input_tokens ?? 0);
  }

  responses(data: Record<string, unknown>, at: number): void {
    const type = data.type as string | undefined;
    if (type && RESPONSES_CONTENT_DELTAS.has(type) && data.delta) {
      this.contentTimesMs.push(at);
      if (type === "response.output_text.delta") this.text += data.delta as string;
    } else if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") {
      const response = data.response as { usage?: ResponsesUsage | null; error?: { message?: string } | null };
      if (response?.usage) {
        this.promptTokens = response.usage.input_tokens;
        this.outputTokens = response.usage.output_tokens;
        this.reusedTokens = response.usage.input_tokens_details?.cached_tokens ?? this.reusedTokens;
      }
      if (type === "response.failed") this.error = response?.error?.message ?? JSON.stringify(data);
      this.llamaTimings(data.timings as LlamaTimings | undefined);
      this.finished = true;
    } else if (type === "error") this.error = (data.message as string | undefined) ?? JSON.stringify(data);
  }

  openai(data: string, at: number): void {
    if (data === "[DONE]") {
      this.finished = true;
      return;
    }
    const chunk = JSON.parse(data) as OpenAIChunk;
    if (chunk.error) this.error = chunk.error.message ?? data;
    const delta = chunk.choices?.[0]?.delta;
    if (delta?.content || delta?.reasoning_content || (delta?.tool_calls?.length ?? 0) > 0)
      this.contentTimesMs.push(at);
    if (delta?.content) this.text += delta.content;
    if (chunk.usage) {
      this.promptTokens = chunk.usage.prompt_tokens;
      this.outputTokens = chunk.usage.completion_tokens;
      this.reusedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? this.reusedTokens;
    }
    this.llamaTimings(chunk.timings);
  }

  /** llama-server's `timings`, beside a Chat Completions chunk or a Responses event. */
  private llamaTimings(timings: LlamaTimings | undefined): void {
    if (!timings) return;
    this.timings = {
      promptN: timings.prompt_n,
      promptMs: timings.prompt_ms,
      predictedN: timings.predicted_n,
      predictedMs: timings.predicted_ms,
      cacheN: timings.cache_n,
    };
    // llama-server reports its cache hits in `timings` even where `usage` has no details.
    this.reusedTokens ??= timings.cache_n;
  }
}

/**
 * Reads a streamed answer and timestamps each event as it is parsed (`now` is the clock the request's
 * start was taken from). Never throws for the stream's content: a malformed or cut stream becomes `error`.
 */
export async function measureStream(
  wire: StreamWire,
  body: AsyncIterable<Uint8Array>,
  startedAt: number,
  now: () => number = performance.now.bind(performance),
): Promise<StreamMeasurement> {
  const seen = new Accumulator();
  try {
    for await (const { event, data } of readSseEvents(body)) {
      const at = now() - startedAt;
      // The first event, not the first bytes: during a long prefill llama-server and Switchyard send
      // SSE comments to keep the connection alive, which carry nothing of the answer.
      seen.firstByteMs ??= at;
      if (wire === "openai") seen.openai(data, at);
      else if (wire === "responses") seen.responses(JSON.parse(data) as Record<string, unknown>, at);
      else seen.anthropic(event, JSON.parse(data) as Record<string, unknown>, at);
    }
    if (!seen.finished && !seen.error) seen.error = "the stream ended before its last event";
  } catch (error) {
    seen.error ??= error instanceof Error ? error.message : String(error);
  }
  return {
    firstByteMs: seen.firstByteMs,
    contentTimesMs: seen.contentTimesMs,
    promptTokens: seen.promptTokens,
    reusedTokens: seen.reusedTokens,
    outputTokens: seen.outputTokens,
    timings: seen.timings,
    totalMs: now() - startedAt,
    error: seen.error,
    text: seen.text,
  };
}
