import type { CanonicalEvent, StopReason, UnifiedStopReason, Usage, UsageField } from "../../core/canonical.js";
import { emptyUsage } from "../../core/canonical.js";
import { SwitchyardError, streamFailure } from "../../core/errors.js";
import { readSseEvents } from "../../util/sse-lines.js";
import { mapUpstreamError } from "../chat-completions/map-upstream-error.js";

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

const WIRE_FIELDS = [
  ["input_tokens", "inputTokens"],
  ["output_tokens", "outputTokens"],
  ["cache_read_input_tokens", "cacheReadTokens"],
  ["cache_creation_input_tokens", "cacheWriteTokens"],
] as const satisfies ReadonlyArray<readonly [keyof WireUsage, UsageField]>;

/** Takes the numbers the wire has; `reported` collects which fields the upstream ever sent. */
function mergeUsage(usage: Usage, wire: WireUsage | undefined, reported: Set<UsageField>): void {
  if (!wire) return;
  for (const [wireName, field] of WIRE_FIELDS) {
    const value = wire[wireName];
    if (typeof value !== "number") continue;
    usage[field] = value;
    reported.add(field);
  }
}

/** The usage so far, saying which fields the upstream never sent (older API versions omit the cache ones). */
function withUnreported(usage: Usage, reported: Set<UsageField>): Usage {
  const unreported = WIRE_FIELDS.map(([, field]) => field).filter((field) => !reported.has(field));
  return unreported.length > 0 ? { ...usage, unreported } : { ...usage };
}

/** The fields of Anthropic stream events we read; everything is optional because it comes off the wire. */
interface WireEvent {
  type?: string;
  index?: number;
  message?: { id?: string; usage?: WireUsage };
  content_block?: { type?: string; id?: string; name?: string; data?: string };
  delta?: {
    type?: string;
    text?: string;
    thinking?: string;
    signature?: string;
    partial_json?: string;
    stop_reason?: string | null;
    stop_sequence?: string | null;
  };
  usage?: WireUsage;
  error?: { type?: string; message?: string };
}

const KNOWN_STOP_REASONS = new Set(["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"]);

/**
 * Anthropic SSE → canonical events. Block types a client of ours cannot receive through every protocol
 * (server tool blocks) are left out, and the remaining blocks are renumbered so indexes stay consecutive.
 */
export async function* readAnthropicStream(
  body: AsyncIterable<Uint8Array>,
  context: { backendName: string; model: string },
): AsyncGenerator<CanonicalEvent> {
  const usage = emptyUsage();
  const reported = new Set<UsageField>();
  const indexMap = new Map<number, number>();
  let nextIndex = 0;
  let started = false;
  let stopReason: StopReason | undefined;
  try {
    for await (const sse of readSseEvents(body)) {
      let data: WireEvent;
      try {
        data = JSON.parse(sse.data) as WireEvent;
      } catch {
        throw new SwitchyardError(`${context.backendName} sent a malformed stream event`, {
          kind: "upstream",
          code: "malformed_stream",
        });
      }
      switch (data.type) {
        case "message_start":
          mergeUsage(usage, data.message?.usage, reported);
          started = true;
          yield {
            type: "message_start",
            id: String(data.message?.id ?? ""),
            model: context.model,
            usage: { ...usage },
          };
          break;
        case "content_block_start": {
          const block = data.content_block ?? {};
          const start =
            block.type === "text"
              ? ({ type: "text" } as const)
              : block.type === "thinking"
                ? ({ type: "thinking" } as const)
                : block.type === "redacted_thinking"
                  ? ({ type: "redacted_thinking", data: String(block.data ?? "") } as const)
                  : block.type === "tool_use"
                    ? ({ type: "tool_call", id: String(block.id), name: String(block.name) } as const)
                    : undefined;
          if (!start) break;
          const index = nextIndex++;
          indexMap.set(data.index ?? -1, index);
          yield { type: "block_start", index, block: start };
          break;
        }
        case "content_block_delta": {
          const index = indexMap.get(data.index ?? -1);
          const delta = data.delta ?? {};
          if (index === undefined) break;
          if (delta.type === "text_delta")
            yield { type: "block_delta", index, delta: { type: "text", text: delta.text ?? "" } };
          else if (delta.type === "thinking_delta")
            yield { type: "block_delta", index, delta: { type: "thinking", text: delta.thinking ?? "" } };
          else if (delta.type === "signature_delta")
            yield { type: "block_delta", index, delta: { type: "signature", signature: delta.signature ?? "" } };
          else if (delta.type === "input_json_delta")
            yield { type: "block_delta", index, delta: { type: "tool_input", json: delta.partial_json ?? "" } };
          break;
        }
        case "content_block_stop": {
          const index = indexMap.get(data.index ?? -1);
          if (index !== undefined) yield { type: "block_end", index };
          break;
        }
        case "message_delta": {
          mergeUsage(usage, data.usage, reported);
          const raw = String(data.delta?.stop_reason ?? "end_turn");
          stopReason = {
            unified: (KNOWN_STOP_REASONS.has(raw) ? raw : "end_turn") as UnifiedStopReason,
            raw,
            stopSequence: data.delta?.stop_sequence ?? undefined,
          };
          break;
        }
        case "message_stop":
          yield {
            type: "done",
            stopReason: stopReason ?? { unified: "end_turn", raw: "end_turn" },
            usage: withUnreported(usage, reported),
          };
          return;
        case "error": {
          const error = mapUpstreamError(
            data.error?.type === "overloaded_error" ? 529 : 500,
            JSON.stringify(data),
            context.backendName,
          );
          if (!started) throw error;
          yield { type: "error", error, usage: withUnreported(usage, reported) };
          return;
        }
        default:
          break; // ping and future event types
      }
    }
  } catch (error) {
    if (!started) throw streamFailure(error, context.backendName);
    yield { type: "error", error: streamFailure(error, context.backendName), usage: withUnreported(usage, reported) };
    return;
  }
  const truncated = new SwitchyardError(`${context.backendName} ended the stream without message_stop`, {
    kind: "upstream",
    code: "stream_truncated",
  });
  if (!started) throw truncated;
  yield { type: "error", error: truncated, usage: withUnreported(usage, reported) };
}
