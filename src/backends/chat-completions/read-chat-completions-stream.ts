import type { BackendTimings, CanonicalEvent, StopReason, Usage, UsageField } from "../../core/canonical.js";
import { emptyUsage } from "../../core/canonical.js";
import { SwitchyardError, streamFailure } from "../../core/errors.js";
import type { OutputSyntax } from "../../families/rendered-prompt-mode.js";
import { readSseEvents } from "../../util/sse-lines.js";
import { CanonicalBlockWriter } from "../canonical-block-writer.js";
import { FamilyOutputParser, writeOutputPieces } from "../llama-server/family-output-parser.js";
import { UNPARSED_TOOL_CALL } from "../llama-server/read-completion-stream.js";
import { applyLlamaTimings, type LlamaTimings, parseStreamChunk } from "../parse-stream-chunk.js";
import { ReasoningCount } from "../reasoning-count.js";
import { mapFinishReason } from "./map-finish-reason.js";

interface ChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: ToolCallDelta[];
    };
    finish_reason?: string | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number | null } | null;
    completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  } | null;
  timings?: LlamaTimings;
  error?: { message?: string; type?: string; code?: number };
}

/** The tool-call block open now: its block index, the server's `index` for the call, and its id. */
type OpenToolCall = { index: number; toolIndex: number; id: string | undefined };

type ToolCallDelta = { index?: number; id?: string; function?: { name?: string; arguments?: string } };

/**
 * Whether a tool-call delta starts a new call. Servers differ (see src/backends/chat-completions/fixtures/README.md):
 * OpenAI and vLLM give each call its own `index` and send `id` and `name` once, vLLM sometimes with an
 * empty `id` on later deltas; SGLang repeats the `id` on every delta, and some parsers put a second call
 * at the same `index` with a new `id` and `name`.
 */
function startsNewCall(open: OpenToolCall | undefined, call: ToolCallDelta): boolean {
  if (!open || open.toolIndex !== (call.index ?? 0)) return true;
  return Boolean(call.id && open.id && call.id !== open.id && call.function?.name);
}

/**
 * Which usage fields the stream left unknown: everything when it reported no usage and no timings, the
 * reused prefix when neither `timings.cache_n` nor `prompt_tokens_details.cached_tokens` came (vLLM and
 * SGLang send it only when started with a flag; many clouds never). Cache writes are not a concept of
 * these servers: 0 is the fact there.
 */
function unreportedFields(seen: { usage: boolean; timings: boolean; cached: boolean }): UsageField[] {
  if (!seen.usage && !seen.timings) return ["inputTokens", "outputTokens", "cacheReadTokens"];
  return seen.cached ? [] : ["cacheReadTokens"];
}

/** A model that wrote its calls as text stops as at its end of turn: it stopped to call them. */
function textStopReason(reason: StopReason, calls: number, unparsed: number): StopReason {
  const raw = unparsed > 0 ? `${reason.raw}; ${UNPARSED_TOOL_CALL}` : reason.raw;
  return { ...reason, raw, ...(calls > 0 && reason.unified === "end_turn" ? { unified: "tool_use" } : {}) };
}

/**
 * Reads an OpenAI-style chat completions SSE stream into canonical events. `message_start` waits for
 * the first chunk that carries content or timings, so its usage is real (prefilled vs reused).
 */
export async function* readChatCompletionsStream(
  body: AsyncIterable<Uint8Array>,
  context: {
    id: string;
    model: string;
    backendName: string;
    /** The model was given its tools as text: its calls are read out of its text in this syntax. */
    toolsAsText?: OutputSyntax;
  },
): AsyncGenerator<CanonicalEvent> {
  const usage: Usage = emptyUsage();
  const timings: BackendTimings = {};
  const writer = new CanonicalBlockWriter(context.id, context.model, () => usage);
  const parser = context.toolsAsText && new FamilyOutputParser(context.toolsAsText, "");
  let textCalls = 0;
  const text = (content: string, final: boolean) => {
    if (!parser) return writer.append("text", content);
    textCalls += writeOutputPieces(writer, [...parser.push(content), ...(final ? parser.finish() : [])]);
  };
  let tool: OpenToolCall | undefined;
  let stopReason: StopReason | undefined;
  let finished = false;
  const events = writer.events;
  const seen = { usage: false, timings: false, cached: false };
  const reasoning = new ReasoningCount();
  let reportedReasoning: number | undefined;
  const finalUsage = (): Usage => {
    const unreported = unreportedFields(seen);
    const reasoningTokens = reportedReasoning ?? (seen.timings ? reasoning.total : undefined);
    return {
      ...usage,
      ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
      ...(unreported.length > 0 ? { unreported } : {}),
    };
  };

  try {
    for await (const sse of readSseEvents(body)) {
      // Read on to the end of the response rather than stopping here: a body read to its end lets the
      // keep-alive connection serve the next request; one abandoned midway is closed.
      if (sse.data === "[DONE]" || finished) {
        finished = true;
        continue;
      }
      const chunk = parseStreamChunk<ChatChunk>(sse.data, context.backendName);
      if (chunk.timings) {
        const t = chunk.timings;
        seen.timings = true;
        if (t.cache_n !== undefined) seen.cached = true;
        applyLlamaTimings(t, usage, timings);
      }
      if (chunk.usage) {
        seen.usage = true;
        const reported = chunk.usage.prompt_tokens_details?.cached_tokens;
        if (typeof reported === "number") seen.cached = true;
        const cached = typeof reported === "number" ? reported : usage.cacheReadTokens;
        if (chunk.usage.prompt_tokens !== undefined) {
          usage.cacheReadTokens = cached;
          usage.inputTokens = chunk.usage.prompt_tokens - cached;
        }
        if (chunk.usage.completion_tokens !== undefined) usage.outputTokens = chunk.usage.completion_tokens;
        const thinking = chunk.usage.completion_tokens_details?.reasoning_tokens;
        if (typeof thinking === "number") reportedReasoning = thinking;
      }
      for (const choice of chunk.choices ?? []) {
        const delta = choice.delta ?? {};
        const thought = delta.reasoning_content ?? delta.reasoning;
        if (thought) writer.append("thinking", thought);
        reasoning.add(chunk.timings?.predicted_n, Boolean(thought) && !delta.content && !delta.tool_calls);
        if (delta.content) text(delta.content, false);
        for (const call of delta.tool_calls ?? []) {
          // The last tool call is still the one being written only while its block is open.
          const current = tool && writer.openToolIndex === tool.index ? tool : undefined;
          if (!current || startsNewCall(current, call)) {
            const index = writer.startToolCall(
              (at) => call.id || `toolu_${context.id}_${at}`,
              call.function?.name ?? "",
            );
            tool = { index, toolIndex: call.index ?? 0, id: call.id || undefined };
          }
          const json = call.function?.arguments;
          if (json && tool) writer.toolInput(tool.index, json);
        }
        if (choice.finish_reason) stopReason = mapFinishReason(choice.finish_reason);
      }
      if (chunk.timings && !writer.hasStarted && (chunk.choices?.length ?? 0) > 0) writer.start();
      for (const event of events.splice(0)) yield event;
    }
  } catch (error) {
    if (!writer.hasStarted) throw streamFailure(error, context.backendName);
    if (parser) text("", true);
    writer.close();
    for (const event of events.splice(0)) yield event;
    yield { type: "error", error: streamFailure(error, context.backendName), usage: finalUsage() };
    return;
  }
  writer.start();
  if (parser) text("", true);
  writer.close();
  for (const event of events.splice(0)) yield event;
  if (stopReason && parser) stopReason = textStopReason(stopReason, textCalls, parser.unparsed);
  if (!stopReason) {
    yield {
      type: "error",
      error: new SwitchyardError(`${context.backendName} ended the stream without a finish reason`, {
        kind: "upstream",
        code: "stream_truncated",
      }),
      usage: finalUsage(),
    };
    return;
  }
  yield { type: "done", stopReason, usage: finalUsage(), timings };
}
